import { useId, useMemo } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { ErrorMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { formatInt } from '../../lib/format';

// When the instance is busy: requests by hour of day and day of week, in the viewer's time
// zone, over the page's range. The API's HOUR buckets follow the zone (so a +05:30 viewer gets
// their own hours); each is placed in its weekday and hour here. 90 days of hours are 2,160
// points, within the API's 5,000.
const HeatmapQuery = graphql(`
  query UsageHeatmap_InstanceUsageQuery($from: DateTime!, $to: DateTime!, $timeZone: String) {
    instanceUsage(from: $from, to: $to, bucket: HOUR, timeZone: $timeZone) {
      points {
        start
        requests
      }
    }
  }
`);

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** requests[weekday][hour], Monday first, for points whose starts are read in `timeZone`. */
export function heatmapCells(points: readonly { start: string; requests: number }[], timeZone: string): number[][] {
  const cells = WEEKDAYS.map(() => HOURS.map(() => 0));
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
  for (const point of points) {
    if (point.requests === 0) continue;
    const fields = Object.fromEntries(parts.formatToParts(new Date(point.start)).map((p) => [p.type, p.value]));
    const day = WEEKDAYS.indexOf(fields.weekday as (typeof WEEKDAYS)[number]);
    const hour = Number(fields.hour);
    if (day >= 0 && hour >= 0 && hour < 24) cells[day][hour] += point.requests;
  }
  return cells;
}

/** A cell's shade: empty is grey; otherwise from light to dark with the share of the busiest hour. */
function shade(requests: number, most: number): string {
  if (requests === 0 || most === 0) return 'var(--heat-empty)';
  const share = Math.sqrt(requests / most); // square root: quiet hours stay visible beside a peak
  return `color-mix(in srgb, var(--heat-high) ${Math.round(15 + 85 * share)}%, var(--heat-low))`;
}

export function UsageHeatmap({ from, to, timeZone, rangeLabel }: { from: string; to: string; timeZone: string; rangeLabel: string }) {
  const headingId = useId();
  const [{ data, error }, reexecute] = useQuery({ query: HeatmapQuery, variables: { from, to, timeZone } });
  const points = data?.instanceUsage.points;
  const cells = useMemo(() => (points ? heatmapCells(points, timeZone) : null), [points, timeZone]);
  const most = cells ? Math.max(0, ...cells.flat()) : 0;
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>When requests come</h2>
      <p className="muted">
        Requests by hour of day and day of week, {timeZone} time, over the last {rangeLabel}.
      </p>
      {error && !cells && <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>}
      {cells && (
        <div className="table-wrap usage-heatmap">
          <table>
            <caption className="visually-hidden">{`Requests by day of week (rows) and hour of day (columns), ${timeZone} time, last ${rangeLabel}; busiest hour ${formatInt(most)} requests`}</caption>
            <thead>
              <tr>
                <td />
                {HOURS.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {WEEKDAYS.map((day, d) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {HOURS.map((h) => (
                    <td
                      key={h}
                      style={{ background: shade(cells[d][h], most) }}
                      title={`${day} ${String(h).padStart(2, '0')}:00: ${formatInt(cells[d][h])} requests`}
                    >
                      <span className="visually-hidden">{formatInt(cells[d][h])}</span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
