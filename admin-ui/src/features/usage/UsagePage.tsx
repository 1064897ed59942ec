import { useEffect, useId, useMemo, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { getFragmentData, graphql } from '../../gql';
import { AdminsOnlyGate } from '../../components/AdminsOnly';
import { EmptyRow } from '../../components/ui';
import { clientPath, formatCoins, formatInt } from '../../lib/format';
import type { ResultOf } from '../../lib/types';
import { modelPath } from '../models/paths';
import { UsageChart, UsageChart_UsagePointFragment } from './UsageChart';
import { UsageHeatmap } from './UsageHeatmap';
import type { UsageGroup } from './usageRange';
import { bucketLabel, buildSeries, metricWithUnit } from './usageSeries';
import { useShownSeries, useUsageControls, type ShownFor } from './useUsageControls';

const InstanceUsageQuery = graphql(`
  query UsagePage_InstanceUsageQuery($from: DateTime!, $to: DateTime!, $bucket: UsageBucket!, $groupBy: UsageGroup, $timeZone: String) {
    instanceUsage(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, timeZone: $timeZone) {
      points {
        ...UsageChart_UsagePointFragment
      }
      topClients(first: 10) {
        client {
          id
          name
        }
        usage {
          requests
          totalTokens
          coinsSpent
        }
      }
      topModels(first: 10) {
        model {
          id
          name
        }
        usage {
          requests
          totalTokens
          coinsSpent
        }
      }
    }
  }
`);

/** /usage: admins only (instanceUsage is). */
export function UsagePage() {
  return (
    <AdminsOnlyGate permission="manageUsers" page="Usage">
      <InstanceUsage />
    </AdminsOnlyGate>
  );
}

const INSTANCE_GROUPS: readonly UsageGroup[] = ['MODEL', 'CLIENT'];

type Instance = ResultOf<typeof InstanceUsageQuery>['instanceUsage'];

/** The whole instance over a range: totals, usage over time, and the top clients and models. */
function InstanceUsage() {
  const controls = useUsageControls(INSTANCE_GROUPS);
  const [result, reexecute] = useQuery({ query: InstanceUsageQuery, variables: controls.variables });
  const shown = useShownSeries(result.data?.instanceUsage, result.operation?.variables, controls);
  useEffect(() => {
    document.title = 'Usage · Lumen';
  }, []);
  const instance = shown?.value;
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title-row">
          <h1>Usage</h1>
        </div>
        <p className="muted">
          Every client's and every personal key's usage on this instance. The range and grouping below apply to the whole page.
        </p>
      </header>
      {instance && shown && <RangeTotals instance={instance} shownFor={shown.pointsFor} timeZone={controls.variables.timeZone} />}
      <UsageChart
        title="Usage over time"
        subject="this instance"
        controls={controls}
        points={instance?.points}
        pointsFor={shown?.pointsFor}
        fetching={result.fetching}
        error={result.error}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      />
      <UsageHeatmap
        from={controls.variables.from}
        to={controls.variables.to}
        timeZone={controls.variables.timeZone}
        rangeLabel={controls.range.label}
      />
      {instance && (
        <div className="usage-tops">
          <TopTable
            title="Top clients"
            what="Client"
            rows={instance.topClients.map((c) => ({ id: c.client.id, name: c.client.name, to: clientPath(c.client.id), usage: c.usage }))}
            range={shown.pointsFor.range.label}
          />
          <TopTable
            title="Top models"
            what="Model"
            rows={instance.topModels.map((m) => ({ id: m.model.id, name: m.model.name, to: modelPath(m.model.id), usage: m.usage }))}
            range={shown.pointsFor.range.label}
          />
        </div>
      )}
    </div>
  );
}

/** The range's totals, summed exactly from the points (so they are the chart's own). */
function RangeTotals({ instance, shownFor, timeZone }: { instance: Instance; shownFor: ShownFor; timeZone: string }) {
  const points = getFragmentData(UsageChart_UsagePointFragment, instance.points);
  const model = useMemo(() => buildSeries(points, shownFor.groupBy), [points, shownFor.groupBy]);
  const { total } = model;
  let busiest = -1;
  model.bucketTotals.forEach((t, i) => {
    if (t.requests > 0 && (busiest < 0 || t.requests > model.bucketTotals[busiest].requests)) busiest = i;
  });
  const span = `last ${shownFor.range.label}`;
  return (
    <section className="cards" aria-label={`Totals for the ${span}`}>
      <RangeCard label="Requests" note={span}>
        {formatInt(total.requests)}
      </RangeCard>
      <RangeCard label="Tokens" note={`${formatInt(total.inputTokens)} in + ${formatInt(total.outputTokens)} out`}>
        {formatInt(total.totalTokens)}
      </RangeCard>
      <RangeCard label="Coins Spent" note={span}>
        {formatCoins(total.coinsSpent)}
      </RangeCard>
      <RangeCard
        label={`Busiest ${shownFor.bucket === 'HOUR' ? 'hour' : shownFor.bucket === 'DAY' ? 'day' : 'week'}`}
        note={busiest >= 0 ? metricWithUnit(model.bucketTotals[busiest], 'REQUESTS') : 'no requests in this range'}
      >
        {busiest >= 0 ? bucketLabel(model.starts[busiest], shownFor.bucket, timeZone) : '—'}
      </RangeCard>
    </section>
  );
}

function RangeCard({ label, note, children }: { label: string; note: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="card" role="group" aria-labelledby={id}>
      <h2 className="card-label" id={id}>
        {label}
      </h2>
      <p className="card-value">{children}</p>
      <p className="card-note">{note}</p>
    </div>
  );
}

type TopRow = { id: string; name: string; to: string; usage: { requests: number; totalTokens: number; coinsSpent: string } };

/** The largest spenders of the range (the API's order), with a bar for their coins against the first one's. */
function TopTable({ title, what, rows, range }: { title: string; what: string; rows: TopRow[]; range: string }) {
  const headingId = useId();
  // Floats for the bar's width only; the figures are the exact strings.
  const most = Math.max(0, ...rows.map((r) => Number(r.usage.coinsSpent)));
  return (
    <section className="section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{`${title}, last ${range}, largest spend first`}</caption>
          <thead>
            <tr>
              <th scope="col">{what}</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="usage-bar-cell">
                <span className="visually-hidden">Share of coins</span>
              </th>
              <th scope="col" className="num">
                Tokens
              </th>
              <th scope="col" className="num">
                Coins
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <EmptyRow colSpan={5}>No usage in this range.</EmptyRow>}
            {rows.map((r) => (
              <tr key={r.id}>
                <th scope="row">
                  <Link to={r.to}>{r.name}</Link>
                </th>
                <td className="num">{formatInt(r.usage.requests)}</td>
                <td className="usage-bar-cell" aria-hidden="true">
                  <div className="usage-bar" style={{ width: most > 0 ? `${(Number(r.usage.coinsSpent) / most) * 100}%` : 0 }} />
                </td>
                <td className="num">{formatInt(r.usage.totalTokens)}</td>
                <td className="num">{formatCoins(r.usage.coinsSpent)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
