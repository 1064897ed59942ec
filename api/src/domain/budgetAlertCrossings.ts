// Finding the crossings of budget alert thresholds. The balance is the one coinPool shows: the
// pool row plus the unspent coins instances hold leased (domain/leases.ts, readCoinPools). A
// threshold fires when that balance is below its percentage of the capacity; it stays fired
// until a refill or an admin's change lifts the balance to it or above, which arms it again
// under a new arming id. Spending only ever fires (a settlement that gives back part of a
// reservation does not re-arm, or a balance hovering at a threshold would alert again and again).
//
// One statement per check: the UPDATE of a threshold row only takes it while it is still armed
// (PostgreSQL re-reads a row another transaction changed meanwhile and applies the condition
// again), so of two instances that see the same crossing one fires it; the event row is also
// unique per client, threshold and arming, and inserted ON CONFLICT DO NOTHING.
//
// Where balances move: settlement batches (settlementQueue.ts, after their commit; in the
// background, coalesced, so /v1 answers wait for nothing), refills (refills.ts) and
// setCoinPool (coinPools.ts), both of which may also re-arm.
import { db } from '../db/current.ts';
import { onInvalidation, publishInvalidation, publishOwnerChange } from '../events/bus.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { log } from '../log.ts';
import { coalescedRuns } from './periodic.ts';

export interface CheckOptions {
  /** A refill or an admin's change: thresholds the balance is back at or above are armed again. */
  rearm?: boolean;
  now?: Date;
  /** Another connection to the same database (tests of two instances). */
  prisma?: PrismaClient;
}

export interface Crossing {
  eventId: string;
  clientId: string;
  thresholdPercent: number;
}

/** Called with the new crossings, after they are recorded (the delivery loop listens, to send at once). */
let onCrossings: ((crossings: Crossing[]) => void) | null = null;
export function whenCrossed(listener: ((crossings: Crossing[]) => void) | null): void {
  onCrossings = listener;
}

/** Records the crossings (and, with `rearm`, the re-armings) of these clients' thresholds now. */
export async function checkBudgetAlerts(clientIds: string[], options: CheckOptions = {}): Promise<Crossing[]> {
  if (clientIds.length === 0) return [];
  const prisma = options.prisma ?? db();
  const now = (options.now ?? new Date()).toISOString();
  const rearm = options.rearm === true;
  const [result] = await prisma.$queryRaw<{ crossings: { id: string; clientId: string; thresholdPercent: number }[]; rearmed: number }[]>`
    WITH "shown" AS (
      SELECT p."clientId", p."state" = 'LIMITED' AND p."capacity" > 0 AS "limited", p."capacity",
             p."balance" + coalesce((SELECT sum(l."amount") FROM "CoinLease" l WHERE l."poolId" = p."id"), 0) AS "balance"
        FROM "CoinPool" p
       WHERE p."clientId" = ANY(${clientIds}::uuid[])
    ), "changed" AS (
      UPDATE "BudgetAlertThreshold" t SET
        "firedAt" = CASE WHEN t."firedAt" IS NULL THEN ${now}::timestamptz ELSE NULL END,
        "arming" = CASE WHEN t."firedAt" IS NULL THEN t."arming" ELSE gen_random_uuid() END
        FROM "shown" s
       WHERE t."clientId" = s."clientId"
         AND ((t."firedAt" IS NULL AND s."limited" AND s."balance" * 100 < s."capacity" * t."percent")
           OR (${rearm}::boolean AND t."firedAt" IS NOT NULL AND NOT (s."limited" AND s."balance" * 100 < s."capacity" * t."percent")))
      RETURNING t."clientId", t."percent", t."arming", t."firedAt" IS NOT NULL AS "fired", s."balance", s."capacity"
    )
    , "inserted" AS (
    INSERT INTO "BudgetAlertEvent" ("id", "clientId", "thresholdPercent", "arming", "clientName", "balance", "capacity", "createdAt", "nextAttemptAt")
    SELECT gen_random_uuid(), c."clientId", c."percent", c."arming", cl."name", c."balance", c."capacity", ${now}::timestamptz, ${now}::timestamptz
      FROM "changed" c JOIN "Client" cl ON cl."id" = c."clientId"
     WHERE c."fired"
    ON CONFLICT ("clientId", "thresholdPercent", "arming") DO NOTHING
    RETURNING "id", "clientId", "thresholdPercent"
    )
    SELECT (SELECT coalesce(json_agg(i), '[]'::json) FROM "inserted" i) AS "crossings",
           (SELECT count(*) FROM "changed" WHERE NOT "fired")::int AS "rearmed"`;
  const crossings = result!.crossings.map((row) => ({
    eventId: row.id,
    clientId: row.clientId,
    thresholdPercent: Number(row.thresholdPercent),
  }));
  // Which clients have armed thresholds changed: every instance reads it again (see armedClients).
  if (crossings.length > 0 || result!.rearmed > 0) publishInvalidation(ARMED_CHANGED);
  // Subscribers hear it once per client and check, as the crossing is recorded.
  for (const clientId of new Set(crossings.map((c) => c.clientId))) {
    publishOwnerChange({ change: 'BUDGET_LOW', clientId, userId: null, apiKeyId: null, modelId: null });
  }
  if (crossings.length > 0) onCrossings?.(crossings);
  return crossings;
}

// The clients with an armed threshold: only their settlements need a check, so a busy instance
// whose clients have no alerts (the usual case) sends no statement for them. Read again at most
// every ARMED_TTL_MS, and at once after a change here or on another instance (the bus); a
// change another instance's bus message has not reached yet is seen within ARMED_TTL_MS.
export const ARMED_CHANGED = 'budgetAlerts.armed';
const ARMED_TTL_MS = 10_000;
let armed: { clients: Set<string>; readAt: number } | null = null;
let stopListening: (() => void) | null = null;

async function armedClients(): Promise<Set<string>> {
  stopListening ??= onInvalidation((event) => {
    if (event.reason === ARMED_CHANGED) armed = null;
  });
  if (armed && Date.now() - armed.readAt < ARMED_TTL_MS) return armed.clients;
  const readAt = Date.now();
  const rows = await db().$queryRaw<{ clientId: string }[]>`
    SELECT DISTINCT "clientId" FROM "BudgetAlertThreshold" WHERE "firedAt" IS NULL`;
  armed = { clients: new Set(rows.map((row) => row.clientId)), readAt };
  return armed.clients;
}

// Clients whose balance dropped in settlements not yet checked; one check at a time per
// instance, covering every client that came up meanwhile.
const spent = new Set<string>();
const spendingChecks = coalescedRuns(checkSpent, (error) =>
  // The next settlement, refill or pool change checks again; the balance stays low until then.
  log.warn({ err: error }, 'budget alert thresholds could not be checked'),
);

/** Settlements of these clients' LIMITED pools committed: their thresholds are checked soon, in the background. */
export function noteSpending(clientIds: Iterable<string>): void {
  for (const id of clientIds) spent.add(id);
  if (spent.size > 0) spendingChecks.run();
}

async function checkSpent(): Promise<void> {
  const noted = [...spent];
  spent.clear();
  const withAlerts = await armedClients();
  const ids = noted.filter((id) => withAlerts.has(id));
  if (ids.length > 0) await checkBudgetAlerts(ids);
}

/** Resolves when the spending noted so far has been checked (tests, and shutdown). */
export function spendingChecked(): Promise<void> {
  return spendingChecks.settled();
}
