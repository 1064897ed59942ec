import { lazy, Suspense, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { ErrorMessage, Spinner } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { UsageTable } from './UsageTable';
import { exportUrl, RANGES, BUCKET_WORD, type RangeId, type UsageBucket, type UsageGroup } from './usageRange';
import {
  bucketLabel,
  buildSeries,
  METRICS,
  metricText,
  seriesSummary,
  tooltipRows,
  withoutGroups,
  type Metric,
  type SeriesModel,
} from './usageSeries';
import type { UsageControls } from './useUsageControls';
import './usage.css';

/** One bucket of one group (model, key or client; or all usage when not grouped). */
export const UsageChart_UsagePointFragment = graphql(`
  fragment UsageChart_UsagePointFragment on UsagePoint {
    start
    other
    requests
    inputTokens
    outputTokens
    totalTokens
    coinsSpent
    model {
      id
      name
    }
    apiKey {
      id
      name
    }
    client {
      id
      name
    }
  }
`);

const UsagePlot = lazy(() => import('./UsagePlot'));

/**
 * Whether this browser can draw the chart (uPlot needs a canvas, matchMedia and
 * ResizeObserver). Where it cannot (a test DOM), the chart is still there as its text summary
 * and its table.
 */
const canDraw = typeof window !== 'undefined' && typeof window.matchMedia === 'function' && typeof ResizeObserver === 'function';

const PLOT_HEIGHT = 260;
const GROUP_OPTION_LABEL: Record<UsageGroup, string> = { MODEL: 'Model', API_KEY: 'API key', CLIENT: 'Client' };

export interface UsageChartProps {
  /** The section's heading. */
  title: string;
  /** Whose usage, for the summary: a client's name, "your personal keys", "this instance". */
  subject: string;
  controls: UsageControls;
  /** The points of the series asked for with `controls.variables` (or, while a new range loads, the last ones shown). */
  points: readonly FragmentType<typeof UsageChart_UsagePointFragment>[] | undefined;
  /** The controls the points were asked for with (they differ from `controls` while a new range loads). */
  pointsFor?: Pick<UsageControls, 'range' | 'bucket' | 'groupBy'>;
  fetching: boolean;
  error?: CombinedError;
  onRetry?: () => void;
  /** A client's or user's id: the Export CSV link downloads that owner's series. */
  exportOwnerId?: string;
  /** Shown under the heading (such as "Updates live"). */
  note?: ReactNode;
}

const NONE_HIDDEN: ReadonlySet<string> = new Set();

/** Usage over time: stacked bars with a legend, a tooltip, a text summary, a table view and a CSV export. */
export function UsageChart(props: UsageChartProps) {
  const { controls, fetching, error } = props;
  const headingId = useId();
  const [asTable, setAsTable] = useState(false);
  const [hover, setHover] = useState<{ index: number; left: number } | null>(null);
  const figure = useRef<HTMLDivElement>(null);
  const points = props.points ? getFragmentData(UsageChart_UsagePointFragment, props.points) : undefined;
  const shown = props.pointsFor ?? controls;
  const model = useMemo(() => (points ? buildSeries(points, shown.groupBy) : null), [points, shown.groupBy]);
  // Groups hidden from the plot with the legend's buttons, for this grouping only (the keys of
  // another grouping mean other things); the summary, the table and the export keep them all.
  const [hidden, setHidden] = useState<{ groupBy: UsageGroup | null; keys: ReadonlySet<string> }>({ groupBy: null, keys: new Set() });
  const hiddenKeys = hidden.groupBy === shown.groupBy ? hidden.keys : NONE_HIDDEN;
  const drawn = useMemo(() => (model ? withoutGroups(model, hiddenKeys) : null), [model, hiddenKeys]);
  const toggle = (key: string) => {
    const keys = new Set(hiddenKeys);
    if (!keys.delete(key)) keys.add(key);
    setHidden({ groupBy: shown.groupBy, keys });
  };
  const timeZone = controls.variables.timeZone;
  const summary =
    model &&
    seriesSummary({
      model,
      metric: controls.metric,
      bucket: shown.bucket,
      range: shown.range,
      groupBy: shown.groupBy,
      subject: props.subject,
      timeZone,
    });
  const stale = Boolean(model && fetching);

  return (
    <section className="section usage-chart" aria-labelledby={headingId}>
      <div className="section-header">
        <div>
          <h2 id={headingId}>{props.title}</h2>
          {props.note && <p className="muted usage-chart-note">{props.note}</p>}
        </div>
        <div className="section-actions">
          <button type="button" className="button" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
            {asTable ? 'View as chart' : 'View as table'}
          </button>
          {props.exportOwnerId && (
            <a className="button" href={exportUrl(props.exportOwnerId, controls.variables)} download>
              Export CSV
            </a>
          )}
        </div>
      </div>
      <UsageControlsBar controls={controls} />
      {error && <ErrorMessage onRetry={props.onRetry}>{errorMessage(error)}</ErrorMessage>}
      {!model ? (
        !error && <Spinner label="Loading usage…" />
      ) : (
        <div className="usage-chart-body" aria-busy={stale || undefined} data-stale={stale || undefined}>
          {asTable ? (
            <UsageTable
              model={model}
              metric={controls.metric}
              bucket={shown.bucket}
              groupBy={shown.groupBy}
              timeZone={timeZone}
              caption={summary!}
            />
          ) : (
            <>
              <div className="usage-figure" ref={figure} onMouseLeave={() => setHover(null)}>
                <div role="img" aria-label={summary!} className="usage-canvas" style={{ minHeight: PLOT_HEIGHT }}>
                  {canDraw && (
                    <Suspense fallback={<Spinner label="Drawing the chart…" />}>
                      <UsagePlot
                        model={drawn!}
                        metric={controls.metric}
                        bucket={shown.bucket}
                        timeZone={timeZone}
                        height={PLOT_HEIGHT}
                        onHover={(index, left) => setHover(index === null ? null : { index, left })}
                      />
                    </Suspense>
                  )}
                </div>
                {hover && hover.index < drawn!.starts.length && (
                  <Tooltip
                    title={bucketLabel(drawn!.starts[hover.index], shown.bucket, timeZone)}
                    rows={tooltipRows(drawn!, hover.index, controls.metric)}
                    total={metricText(drawn!.bucketTotals[hover.index], controls.metric)}
                    left={hover.left}
                    flip={hover.left > (figure.current?.clientWidth ?? 0) / 2}
                    grouped={shown.groupBy !== null}
                  />
                )}
              </div>
              <Legend model={model} metric={controls.metric} hidden={hiddenKeys} onToggle={toggle} />
            </>
          )}
        </div>
      )}
    </section>
  );
}

function UsageControlsBar({ controls }: { controls: UsageControls }) {
  const id = useId();
  return (
    <div className="usage-controls">
      <label className="usage-control" htmlFor={`${id}-metric`}>
        <span>Show</span>
        <select id={`${id}-metric`} value={controls.metric} onChange={(e) => controls.setMetric(e.target.value as Metric)}>
          {METRICS.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <label className="usage-control" htmlFor={`${id}-range`}>
        <span>Range</span>
        <select id={`${id}-range`} value={controls.range.id} onChange={(e) => controls.setRange(e.target.value as RangeId)}>
          {RANGES.map((r) => (
            <option key={r.id} value={r.id}>
              Last {r.label}
            </option>
          ))}
        </select>
      </label>
      {controls.range.buckets.length > 1 && (
        <label className="usage-control" htmlFor={`${id}-bucket`}>
          <span>Per</span>
          <select id={`${id}-bucket`} value={controls.bucket} onChange={(e) => controls.setBucket(e.target.value as UsageBucket)}>
            {controls.range.buckets.map((b) => (
              <option key={b} value={b}>
                {BUCKET_WORD[b].one}
              </option>
            ))}
          </select>
        </label>
      )}
      {controls.groupOptions.length > 1 && (
        <label className="usage-control" htmlFor={`${id}-group`}>
          <span>Stack by</span>
          <select id={`${id}-group`} value={controls.groupBy ?? ''} onChange={(e) => controls.setGroupBy(e.target.value as UsageGroup)}>
            {controls.groupOptions.map((g) => (
              <option key={g} value={g}>
                {GROUP_OPTION_LABEL[g]}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

/**
 * Under the chart: each group's colour, name and total for the range. Read by screen readers too
 * (the canvas is not). With several groups each is a toggle button that hides it from the plot
 * (and its tooltip), so that a small group can be seen without the large ones.
 */
function Legend(props: { model: SeriesModel; metric: Metric; hidden: ReadonlySet<string>; onToggle: (key: string) => void }) {
  const { model, metric, hidden } = props;
  if (model.groups.length === 0) return null;
  const toggles = model.groups.length > 1;
  return (
    <ul className="usage-legend" aria-label="Legend">
      {model.groups.map((g) => {
        const content = (
          <>
            <span
              className="usage-swatch"
              style={{ background: hidden.has(g.key) ? 'transparent' : g.color, borderColor: g.color }}
              aria-hidden="true"
            />
            <span className="usage-legend-label">{g.label}</span> <span className="usage-legend-value">{metricText(g.total, metric)}</span>
          </>
        );
        return (
          <li key={g.key}>
            {toggles ? (
              <button
                type="button"
                className="usage-legend-toggle"
                aria-pressed={!hidden.has(g.key)}
                title={hidden.has(g.key) ? `Show ${g.label} in the chart` : `Hide ${g.label} from the chart`}
                onClick={() => props.onToggle(g.key)}
              >
                {content}
              </button>
            ) : (
              content
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The pointer's bucket, with every group's exact figure and the bucket's total. For the pointer
 * only (aria-hidden): keyboard and screen-reader users get the same figures from the table.
 */
function Tooltip(props: {
  title: string;
  rows: ReturnType<typeof tooltipRows>;
  total: string;
  left: number;
  flip: boolean;
  grouped: boolean;
}) {
  return (
    <div className="usage-tooltip" aria-hidden="true" style={{ left: props.left }} data-flip={props.flip || undefined}>
      <div className="usage-tooltip-title">{props.title}</div>
      {props.grouped && (
        <table>
          <tbody>
            {props.rows.map((r) => (
              <tr key={r.label}>
                <td>
                  <span className="usage-swatch" style={{ background: r.color }} />
                  {r.label}
                </td>
                <td className="num">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="usage-tooltip-total">
        <span>Total</span> <span>{props.total}</span>
      </div>
    </div>
  );
}
