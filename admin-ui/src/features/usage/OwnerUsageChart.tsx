import { useCallback } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { UsageChart } from './UsageChart';
import type { UsageGroup } from './usageRange';
import { useShownSeries, useThrottledRefresh, useUsageControls } from './useUsageControls';

// One query for any owner (node(id) is a Client or a User, both UsageOwners), as the key list does.
// `usage` is asked for beside the series: the page's live subscription writes each event's new
// totals into the cache (src/cache/ownerEvents.ts), which hands this query the new `usage`,
// which is how the chart hears of new usage without a subscription of its own.
const SeriesQuery = graphql(`
  query OwnerUsageChart_SeriesQuery(
    $ownerId: ID!
    $from: DateTime!
    $to: DateTime!
    $bucket: UsageBucket!
    $groupBy: UsageGroup
    $timeZone: String
  ) {
    node(id: $ownerId) {
      id
      ... on UsageOwner {
        usage {
          requests
          totalTokens
          coinsSpent
        }
        usageSeries(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, timeZone: $timeZone) {
          ...UsageChart_UsagePointFragment
        }
      }
    }
  }
`);

/** At most one series query per this many ms while usage streams in. */
export const LIVE_REFRESH_MS = 5000;

const OWNER_GROUPS: readonly UsageGroup[] = ['MODEL', 'API_KEY'];

/**
 * A client's usage over time (its page), or the viewer's personal keys' (the Profile page),
 * stacked by model or by key, live while the page's usage subscription runs.
 */
export function OwnerUsageChart({ ownerId, subject }: { ownerId: string; subject: string }) {
  const controls = useUsageControls(OWNER_GROUPS);
  const [result, reexecute] = useQuery({ query: SeriesQuery, variables: { ownerId, ...controls.variables } });
  const owner = result.data?.node && 'usageSeries' in result.data.node ? result.data.node : null;
  const shown = useShownSeries(owner?.usageSeries, result.operation?.variables, controls);

  // Live: when the owner's totals move (a METERED event, or any fresh answer), fetch the series
  // again from the API instead of adding the event to it. An event carries the owner's new
  // totals, not which bucket and which model or key they went to with what exact coins; adding
  // it in here would repeat the API's bucketing (time zones, the top-20 `other` group) in the
  // browser and drift from it. The series reads rollups, so a query costs the same however busy
  // the client is, and the throttle bounds them to one per LIVE_REFRESH_MS.
  const { moveToNow } = controls;
  const to = controls.variables.to;
  const refresh = useCallback(() => {
    // Past the end of the range, the current bucket is a new one: move the range (a new query).
    if (Date.now() >= Date.parse(to)) moveToNow();
    else reexecute({ requestPolicy: 'network-only' });
  }, [to, moveToNow, reexecute]);
  const usage = owner?.usage;
  useThrottledRefresh(usage ? `${usage.requests}/${usage.totalTokens}/${usage.coinsSpent}` : null, refresh, LIVE_REFRESH_MS);

  return (
    <UsageChart
      title="Usage over time"
      subject={subject}
      controls={controls}
      points={shown?.value}
      pointsFor={shown?.pointsFor}
      fetching={result.fetching}
      error={result.error}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      exportOwnerId={ownerId}
      note="Updates live as requests are metered."
    />
  );
}
