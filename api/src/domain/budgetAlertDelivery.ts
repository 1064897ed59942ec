// Delivering budget alerts: each event is POSTed to its client's webhook, signed, at least
// once, retried with exponential backoff for up to 24 hours after the crossing; every
// attempt is recorded. Every instance runs the loop; an event is claimed (a conditional
// UPDATE of the rows picked FOR UPDATE SKIP LOCKED) by one instance for CLAIM_MS, longer than
// an attempt can take, so two instances never send it at the same time, and an instance that
// dies mid-attempt only delays it until the claim runs out.
import { createHmac } from 'node:crypto';
import { db } from '../db/current.ts';
import type { BudgetAlertEvent, PrismaClient } from '../generated/prisma/client.ts';
import { log } from '../log.ts';
import { globalIdOf } from '../schema/globalIds.ts';
import { whenCrossed } from './budgetAlertCrossings.ts';
import { exact, formatCoins } from './coins.ts';
import { INSTANCE_ID } from './leases.ts';
import { coalescedRuns, runPeriodically, type PeriodicOptions } from './periodic.ts';
import { seal, unseal } from './sealedSecrets.ts';
import { uuidv7 } from './uuid.ts';
import { postWebhook, WEBHOOK_TIMEOUT_MS, type WebhookOutcome } from './webhookPost.ts';

export const EVENT_TYPE = 'budget.threshold';
/** Retried until this long after the crossing; then given up (FAILED). */
export const RETRY_FOR_MS = 24 * 3600 * 1000;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 3600_000;
/** How long a claim lasts: well over an attempt's deadline. */
const CLAIM_MS = WEBHOOK_TIMEOUT_MS * 6;
/** Events one round takes at most. */
const BATCH = 20;

/** The wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, ... at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

/** The JSON body of an event: the same bytes at every attempt, so its id lets receivers deduplicate. */
export function alertBody(
  event: Pick<BudgetAlertEvent, 'id' | 'clientId' | 'clientName' | 'thresholdPercent' | 'balance' | 'capacity' | 'createdAt'>,
): string {
  return JSON.stringify({
    id: event.id,
    type: EVENT_TYPE,
    clientId: globalIdOf('Client', event.clientId),
    clientName: event.clientName,
    thresholdPercent: event.thresholdPercent,
    balance: formatCoins(exact(event.balance)),
    capacity: formatCoins(exact(event.capacity)),
    at: event.createdAt.toISOString(),
  });
}

/** The Lumen-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> keyed by the signing secret. */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

export interface DeliveryOptions {
  now?: Date;
  /** Another connection to the same database (tests of two instances). */
  prisma?: PrismaClient;
  /** Who claims (tests of two instances in one process); this process by default. */
  instanceId?: string;
}

/** Claims the due events, at most BATCH, for this instance. */
async function claimDue(prisma: PrismaClient, now: Date, instanceId: string): Promise<BudgetAlertEvent[]> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + CLAIM_MS).toISOString();
  return prisma.$queryRaw<BudgetAlertEvent[]>`
    UPDATE "BudgetAlertEvent" e SET "claimedBy" = ${instanceId}, "claimedUntil" = ${until}::timestamptz
      FROM (SELECT "id" FROM "BudgetAlertEvent"
             WHERE "status" = 'PENDING' AND "nextAttemptAt" <= ${at}::timestamptz
               AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${at}::timestamptz)
             ORDER BY "nextAttemptAt"
             LIMIT ${BATCH}
             FOR UPDATE SKIP LOCKED) due
     WHERE e."id" = due."id"
       AND ("claimedUntil" IS NULL OR "claimedUntil" <= ${at}::timestamptz)
    RETURNING e.*`;
}

/** Sends one claimed event and records the attempt; returns whether it was delivered. */
async function deliver(prisma: PrismaClient, event: BudgetAlertEvent, now: Date, instanceId: string): Promise<boolean> {
  const settings = await prisma.clientBudgetAlert.findUnique({ where: { clientId: event.clientId } });
  if (!settings) {
    // Alerts were turned off after the crossing: there is nowhere to send it.
    await prisma.budgetAlertEvent.updateMany({
      where: { id: event.id, claimedBy: instanceId, status: 'PENDING' },
      data: { status: 'CANCELLED', claimedBy: null, claimedUntil: null },
    });
    return false;
  }
  const opened = unseal(settings.secretSealed);
  const started = Date.now();
  let outcome: WebhookOutcome;
  if (!opened) {
    outcome = {
      ok: false,
      status: null,
      error: 'the signing secret cannot be read: LUMEN_SECRET changed; rotate the secret on the client page',
    };
  } else {
    if (opened.stale) {
      // Sealed under a LUMEN_SECRET now being rotated out: sealed again under the current one.
      await prisma.clientBudgetAlert.updateMany({
        where: { clientId: settings.clientId, secretSealed: settings.secretSealed },
        data: { secretSealed: seal(opened.secret) },
      });
    }
    const body = alertBody(event);
    outcome = await postWebhook(settings.webhookUrl, body, { 'lumen-signature': signatureHeader(opened.secret, body, now) });
  }
  const attempts = event.attempts + 1;
  const retryAt = new Date(now.getTime() + retryDelayMs(attempts));
  const givenUp = !outcome.ok && retryAt.getTime() > event.createdAt.getTime() + RETRY_FOR_MS;
  await prisma.$transaction([
    prisma.budgetAlertAttempt.create({
      data: {
        id: uuidv7(now.getTime()),
        eventId: event.id,
        attemptedAt: now,
        httpStatus: outcome.status,
        error: outcome.error?.slice(0, 500) ?? null,
        durationMs: Date.now() - started,
      },
    }),
    prisma.budgetAlertEvent.updateMany({
      where: { id: event.id, claimedBy: instanceId },
      data: {
        attempts,
        status: outcome.ok ? 'DELIVERED' : givenUp ? 'FAILED' : 'PENDING',
        deliveredAt: outcome.ok ? now : null,
        nextAttemptAt: outcome.ok || givenUp ? event.nextAttemptAt : retryAt,
        claimedBy: null,
        claimedUntil: null,
      },
    }),
  ]);
  return outcome.ok;
}

/** One round: claims what is due and sends it; returns how many were delivered. */
export async function deliverDueBudgetAlerts(options: DeliveryOptions = {}): Promise<number> {
  const prisma = options.prisma ?? db();
  const now = options.now ?? new Date();
  const instanceId = options.instanceId ?? INSTANCE_ID;
  const claimed = await claimDue(prisma, now, instanceId);
  const results = await Promise.all(claimed.map((event) => deliver(prisma, event, now, instanceId)));
  return results.filter(Boolean).length;
}

/**
 * Runs delivery rounds now and every `everyMs` (default 5 s), and at once when this instance
 * records a crossing; returns a function that stops it, which resolves once a round under way
 * has ended (an attempt it cut short would be sent again by another instance after the claim).
 */
export function startBudgetAlertDelivery(options: PeriodicOptions = {}): () => Promise<void> {
  const onError = options.onError ?? ((error: unknown) => log.error({ err: error }, 'budget alert delivery failed'));
  let stopped = false;
  const rounds = coalescedRuns(async () => {
    if (!stopped) await deliverDueBudgetAlerts();
  }, onError);
  const stopTimer = runPeriodically(async () => rounds.run(), options.everyMs ?? 5000, onError);
  whenCrossed(() => rounds.run());
  return async () => {
    stopped = true;
    stopTimer();
    whenCrossed(null);
    await rounds.settled();
  };
}
