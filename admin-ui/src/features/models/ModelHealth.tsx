import { Badge, type BadgeTone } from '../../components/ui';
import type { ModelHealthStatus } from '../../gql/graphql';

/** A model's health (Model.status): the Status column of the Models page and of Model Access. */
export const HEALTH: Record<ModelHealthStatus, { label: string; tone: BadgeTone; order: number; title: string }> = {
  OK: { label: 'OK', tone: 'green', order: 0, title: 'Recent requests succeeded (or there were none).' },
  DEGRADED: { label: 'Degraded', tone: 'amber', order: 1, title: 'Some recent requests failed or timed out.' },
  DOWN: { label: 'Down', tone: 'red', order: 2, title: 'Most recent requests failed or timed out.' },
  DISABLED: { label: 'Disabled', tone: 'gray', order: 3, title: 'An admin disabled the model.' },
};

/** The health badge; its tooltip is the API's reason (Model.statusReason) when it gave one. */
export function ModelHealthBadge({ status, reason }: { status: ModelHealthStatus; reason?: string | null }) {
  const health = HEALTH[status];
  return (
    <Badge tone={health?.tone ?? 'gray'} title={reason || health?.title}>
      {health?.label ?? status}
    </Badge>
  );
}
