// Budget alerts of a client: a webhook, told when the client's LIMITED pool falls below
// thresholds given as percentages of its capacity, and the secret its deliveries are signed
// with (shown once). Admins and the client's managers set them. Crossings are found in
// budgetAlertCrossings.ts, delivered by budgetAlertDelivery.ts.
import { randomBytes } from 'node:crypto';
import { db } from '../db/current.ts';
import { publishInvalidation } from '../events/bus.ts';
import { log } from '../log.ts';
import { recordAudit } from './audit.ts';
import { ARMED_CHANGED, checkBudgetAlerts } from './budgetAlertCrossings.ts';
import { requireClient } from './clients.ts';
import { badInput } from './errors.ts';
import { seal } from './sealedSecrets.ts';
import { hintOf } from './secrets.ts';
import { uuidv7 } from './uuid.ts';
import type { Viewer } from './viewer.ts';
import { requireWebhookUrl } from './webhookAddress.ts';

/** More would be noise: a warning at each tenth of the budget is already a lot. */
export const MAX_THRESHOLDS = 10;
/** Deliveries Client.budgetAlerts lists at most. */
export const MAX_LISTED_DELIVERIES = 50;

export interface SetBudgetAlertsInput {
  webhookUrl?: string | null;
  thresholdsPercent: number[];
  /** A new signing secret replaces the current one (the first setting always makes one). */
  rotateSecret?: boolean | null;
}

/** The thresholds, checked and sorted from the highest (the first to be crossed). */
export function requireThresholds(values: number[], field = 'thresholdsPercent'): number[] {
  if (values.length > MAX_THRESHOLDS) throw badInput(`Give at most ${MAX_THRESHOLDS} thresholds (got ${values.length})`, field);
  for (const value of values) {
    if (!Number.isInteger(value) || value < 1 || value > 99) {
      throw badInput(`Each threshold is a whole percentage of the pool's capacity from 1 to 99 (got ${value})`, field);
    }
  }
  const seen = new Set<number>();
  for (const value of values) {
    if (seen.has(value)) throw badInput(`The threshold ${value}% is given twice; give each one once`, field);
    seen.add(value);
  }
  return [...values].sort((a, b) => b - a);
}

/** A new signing secret: "whsec_" and 32 random bytes, in the style of Stripe's. */
function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Sets (or, with no thresholds, turns off) a client's budget alerts. Returns the signing
 * secret when a new one was made (the first setting, or rotateSecret): the only time it is shown.
 */
export async function setClientBudgetAlerts(
  actor: Viewer,
  clientId: string,
  input: SetBudgetAlertsInput,
): Promise<{ secret: string | null }> {
  const thresholds = requireThresholds(input.thresholdsPercent ?? []);
  if (thresholds.length === 0) {
    await db().$transaction(async (tx) => {
      const client = await requireClient(tx, clientId);
      await tx.clientBudgetAlert.deleteMany({ where: { clientId: client.id } });
      // Nobody is listening any more: what was still to be delivered is not.
      await tx.budgetAlertEvent.updateMany({ where: { clientId: client.id, status: 'PENDING' }, data: { status: 'CANCELLED' } });
      await recordAudit(tx, actor, 'client.setBudgetAlerts', { type: 'Client', id: client.id }, { thresholdsPercent: [] });
    });
    return { secret: null };
  }
  if (input.webhookUrl == null)
    throw badInput('webhookUrl is required with thresholds: the https URL that receives the alerts', 'webhookUrl');
  // Resolving the host takes a network round trip: done before the transaction opens.
  const webhookUrl = await requireWebhookUrl(input.webhookUrl);
  const secret = await db().$transaction(async (tx) => {
    const client = await requireClient(tx, clientId);
    const current = await tx.clientBudgetAlert.findUnique({ where: { clientId: client.id } });
    const fresh = !current || input.rotateSecret === true ? newSigningSecret() : null;
    const sealed = fresh ? { secretSealed: seal(fresh), secretHint: hintOf(fresh) } : {};
    const now = new Date();
    if (current) {
      await tx.clientBudgetAlert.update({ where: { clientId: client.id }, data: { webhookUrl, ...sealed, updatedAt: now } });
    } else {
      await tx.clientBudgetAlert.create({
        data: { clientId: client.id, webhookUrl, secretSealed: sealed.secretSealed!, secretHint: sealed.secretHint!, updatedAt: now },
      });
    }
    // Thresholds kept keep their state (armed, or fired and waiting for a refill); new ones start armed.
    await tx.budgetAlertThreshold.deleteMany({ where: { clientId: client.id, percent: { notIn: thresholds } } });
    await tx.budgetAlertThreshold.createMany({
      data: thresholds.map((percent) => ({ clientId: client.id, percent, arming: uuidv7() })),
      skipDuplicates: true,
    });
    await recordAudit(
      tx,
      actor,
      'client.setBudgetAlerts',
      { type: 'Client', id: client.id },
      {
        webhookUrl,
        thresholdsPercent: thresholds,
        ...(fresh ? { newSecret: sealed.secretHint } : {}),
      },
    );
    return fresh;
  });
  // Every instance reads again which clients have armed thresholds (budgetAlertCrossings.ts).
  publishInvalidation(ARMED_CHANGED);
  // A new threshold the balance is already below is crossed now: its alert goes out at once.
  await checkBudgetAlerts([clientId]).catch((error: unknown) =>
    // Saved either way; the next settlement, refill or pool change checks again.
    log.warn({ err: error }, 'budget alert thresholds could not be checked after a change of settings'),
  );
  return { secret };
}

/** A client's settings, or null when it has no alerts. */
export function readBudgetAlertSettings(clientId: string) {
  return db().clientBudgetAlert.findUnique({
    where: { clientId },
    include: { thresholds: { orderBy: { percent: 'desc' } } },
  });
}

/** The client's most recent crossings, newest first, each with its attempts (oldest first). */
export function readBudgetAlertDeliveries(clientId: string, first: number) {
  return db().budgetAlertEvent.findMany({
    where: { clientId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.max(0, Math.min(first, MAX_LISTED_DELIVERIES)),
    include: { deliveryAttempts: { orderBy: { attemptedAt: 'asc' } } },
  });
}
