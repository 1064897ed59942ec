import { BUCKET_WORD, type UsageBucket, type UsageGroup } from './usageRange';
import { bucketLabel, GROUP_LABEL, METRICS, metricText, type Metric, type SeriesModel } from './usageSeries';

/**
 * The chart's data as a table ("View as table"): a row per bucket, a column per group, and
 * the totals; the same exact figures as the legend and the tooltip.
 */
export function UsageTable(props: {
  model: SeriesModel;
  metric: Metric;
  bucket: UsageBucket;
  groupBy: UsageGroup | null;
  timeZone: string;
  caption: string;
}) {
  const { model, metric, bucket, groupBy, timeZone } = props;
  const grouped = groupBy !== null;
  const metricLabel = METRICS.find((m) => m.id === metric)!.label;
  return (
    <div className="table-wrap usage-table-wrap">
      <table className="table usage-table">
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{BUCKET_WORD[bucket].one[0].toUpperCase() + BUCKET_WORD[bucket].one.slice(1)}</th>
            {grouped &&
              model.groups.map((g) => (
                <th scope="col" className="num" key={g.key}>
                  {g.label}
                </th>
              ))}
            <th scope="col" className="num">
              {grouped ? `Total ${metricLabel.toLowerCase()}` : metricLabel}
            </th>
          </tr>
        </thead>
        <tbody>
          {model.starts.map((start, i) => (
            <tr key={start}>
              <th scope="row">
                <time dateTime={start}>{bucketLabel(start, bucket, timeZone)}</time>
              </th>
              {grouped &&
                model.groups.map((g, gi) => (
                  <td className="num" key={g.key}>
                    {metricText(model.cells[gi][i], metric)}
                  </td>
                ))}
              <td className="num cell-strong">{metricText(model.bucketTotals[i], metric)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{grouped ? `Total by ${GROUP_LABEL[groupBy]}` : 'Total'}</th>
            {grouped &&
              model.groups.map((g) => (
                <td className="num" key={g.key}>
                  {metricText(g.total, metric)}
                </td>
              ))}
            <td className="num cell-strong">{metricText(model.total, metric)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
