// The append-only record of every change made through the API. Written inside the
// same transaction as the change it describes, so neither exists without the other.
import type { Tx } from '../db/current.ts';
import type { Viewer } from './viewer.ts';

export type AuditTarget =
  'Client' | 'User' | 'ApiKey' | 'Model' | 'CoinPool' | 'ModelConsent' | 'ClientModelAccess' | 'AccessToken' | 'Session';

export async function recordAudit(
  tx: Tx,
  actor: Viewer | null,
  action: string,
  target: { type: AuditTarget; id: string },
  details: Record<string, unknown> = {},
): Promise<void> {
  await tx.auditEntry.create({
    data: { actorId: actor?.id ?? null, action, targetType: target.type, targetId: target.id, details: details as object },
  });
}
