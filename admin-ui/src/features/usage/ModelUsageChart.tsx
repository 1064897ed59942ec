import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { UsageChart } from './UsageChart';
import type { UsageGroup } from './usageRange';
import { useShownSeries, useUsageControls } from './useUsageControls';

// Model.usageSeries is admin-only: this chart is on the admin console's model page.
const SeriesQuery = graphql(`
  query ModelUsageChart_SeriesQuery(
    $modelId: ID!
    $from: DateTime!
    $to: DateTime!
    $bucket: UsageBucket!
    $groupBy: UsageGroup
    $timeZone: String
  ) {
    node(id: $modelId) {
      id
      ... on Model {
        usageSeries(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, timeZone: $timeZone) {
          ...UsageChart_UsagePointFragment
        }
      }
    }
  }
`);

const MODEL_GROUPS: readonly UsageGroup[] = ['CLIENT', 'API_KEY'];

/** A model's usage over time, stacked by client (or by key), from every client and personal key. */
export function ModelUsageChart({ modelId, modelName }: { modelId: string; modelName: string }) {
  const controls = useUsageControls(MODEL_GROUPS);
  const [result, reexecute] = useQuery({ query: SeriesQuery, variables: { modelId, ...controls.variables } });
  const node = result.data?.node;
  const shown = useShownSeries(node && 'usageSeries' in node ? node.usageSeries : undefined, result.operation?.variables, controls);
  return (
    <UsageChart
      title="Usage over time"
      subject={modelName}
      controls={controls}
      points={shown?.value}
      pointsFor={shown?.pointsFor}
      fetching={result.fetching}
      error={result.error}
      onRetry={() => reexecute({ requestPolicy: 'network-only' })}
    />
  );
}
