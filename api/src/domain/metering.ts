// Metering: every /v1 request reserves its worst-case cost before it is forwarded
// and is settled to its actual cost afterwards, in the same transaction that
// records its usage. The reservation is one conditional UPDATE, so concurrent
// requests can never spend more than a LIMITED pool holds (and a CHECK in the
// database refuses a negative balance should anything else try).
import { db } from '../db/current.ts';
import { publishOwnerChange } from '../events/bus.ts';
import { Prisma, type CoinPoolState } from '../generated/prisma/client.ts';
import { costOf, exact, type Decimal } from './coins.ts';
import { nextRefillAt } from './coinPools.ts';
import { ownerColumns, ownerWhere, type Owner } from './owner.ts';
import { refillDuePools } from './refills.ts';
import { uuidv7 } from './uuid.ts';

/**
 * How a forwarded request ended, as recorded in UsageRecord.status (model health reads these).
 * 'upstream_overshoot': the upstream answered but reported more tokens than Lumen reserved for
 * (more output than the max_tokens it was sent, or more prompt than the prompt's bound).
 */
export type UsageStatus = 'ok' | 'client_disconnected' | 'upstream_rejected' | 'upstream_error' | 'upstream_timeout' | 'upstream_overshoot';
export const FAILED_STATUSES: readonly UsageStatus[] = ['upstream_error', 'upstream_timeout'];
export const OVERSHOOT_STATUS: UsageStatus = 'upstream_overshoot';

export interface Prices {
  inputCoinsPerMillion: Prisma.Decimal | string;
  outputCoinsPerMillion: Prisma.Decimal | string;
}

export function priceOf(model: Prices, inputTokens: number, outputTokens: number): Decimal {
  return costOf(inputTokens, outputTokens, exact(model.inputCoinsPerMillion), exact(model.outputCoinsPerMillion));
}

/** The tokens a reservation covers: the prompt's bound and max_tokens for each of the n choices. */
export interface TokenBounds {
  inputTokens: number;
  outputTokens: number;
}

/** Whether an upstream reported more tokens than it was allowed (the bill of a LIMITED pool is then capped at the reservation). */
export function overshoots(bounds: TokenBounds, used: TokenBounds): boolean {
  return used.inputTokens > bounds.inputTokens || used.outputTokens > bounds.outputTokens;
}

/**
 * An upper bound for the prompt's token count: byte-level BPE tokenizers emit at
 * most one token per UTF-8 byte, and the JSON of each message (role, quotes,
 * braces) is longer than the few special tokens a chat template adds to it.
 */
export function promptTokenBound(promptParts: unknown[]): number {
  let bytes = 16;
  for (const part of promptParts) if (part !== undefined) bytes += Buffer.byteLength(JSON.stringify(part), 'utf8');
  return bytes;
}

/** The states a pool that can pay is in. */
type PayingState = Exclude<CoinPoolState, 'NOT_CONFIGURED'>;

export interface Reservation {
  /** The CoinReservation row of a LIMITED pool's reservation; null on an UNLIMITED pool. */
  id: string | null;
  poolId: string;
  state: PayingState;
  /** Coins taken from a LIMITED pool's balance until the request is settled; 0 for UNLIMITED. */
  reserved: Decimal;
  /** The worst-case cost asked for at admission, in any state: recorded with the usage (UsageRecord.reservedCoins). */
  worstCase: Decimal;
}

export type BudgetRefusal =
  { reason: 'NOT_CONFIGURED' } | { reason: 'EXHAUSTED'; balance: Decimal; needed: Decimal; nextRefillAt: Date | null };

export class BudgetError extends Error {
  constructor(readonly refusal: BudgetRefusal) {
    super(refusal.reason === 'NOT_CONFIGURED' ? 'The coin pool is not configured' : 'The coin budget is exhausted');
    this.name = 'BudgetError';
  }
}

const ownerIs = (owner: Owner) =>
  owner.clientId ? Prisma.sql`"clientId" = ${owner.clientId}::uuid` : Prisma.sql`"userId" = ${owner.userId}::uuid`;

/** Reservations this process holds, touched by the sweeper so that no other instance reclaims them. */
const live = new Set<string>();

async function tryReserve(owner: Owner, amount: Decimal, id: string) {
  // The debit and its ledger row in one statement: a reservation never exists without the other.
  return db().$queryRaw<{ id: string; state: PayingState }[]>`
    WITH "pool" AS (
      UPDATE "CoinPool"
         SET "balance" = CASE WHEN "state" = 'LIMITED' THEN "balance" - ${amount.toFixed()}::numeric ELSE "balance" END
       WHERE ${ownerIs(owner)}
         AND ("state" = 'UNLIMITED' OR ("state" = 'LIMITED' AND "balance" >= ${amount.toFixed()}::numeric))
      RETURNING "id", "state"
    ), "ledger" AS (
      INSERT INTO "CoinReservation" ("id", "poolId", "amount")
      SELECT ${id}::uuid, "id", ${amount.toFixed()}::numeric FROM "pool" WHERE "state" = 'LIMITED'
      RETURNING "id"
    )
    SELECT "id", "state"::text AS "state" FROM "pool"`;
}

/**
 * Takes `worstCase` coins from the owner's LIMITED pool, or admits the request on
 * an UNLIMITED one. A pool that is missing or NOT_CONFIGURED refuses (an admin
 * must set it up); a LIMITED pool that cannot cover the cost refuses after
 * crediting any refill that is due.
 */
export async function reserveCoins(owner: Owner, worstCase: Decimal): Promise<Reservation> {
  const id = uuidv7();
  let rows = await tryReserve(owner, worstCase, id);
  if (rows.length === 0) {
    const pool = await db().coinPool.findFirst({ where: ownerWhere(owner) });
    if (!pool || pool.state === 'NOT_CONFIGURED') throw new BudgetError({ reason: 'NOT_CONFIGURED' });
    if (pool.state === 'LIMITED' && (await refillDuePools({ poolId: pool.id })).length > 0) rows = await tryReserve(owner, worstCase, id);
    if (rows.length === 0) {
      const now = await db().coinPool.findUnique({ where: { id: pool.id } });
      if (!now || now.state === 'NOT_CONFIGURED') throw new BudgetError({ reason: 'NOT_CONFIGURED' });
      if (now.state === 'UNLIMITED') return reserveCoins(owner, worstCase);
      throw new BudgetError({ reason: 'EXHAUSTED', balance: exact(now.balance), needed: worstCase, nextRefillAt: nextRefillAt(now) });
    }
  }
  const [row] = rows;
  if (row.state !== 'LIMITED') return { id: null, poolId: row.id, state: row.state, reserved: exact(0), worstCase };
  live.add(id);
  return { id, poolId: row.id, state: row.state, reserved: worstCase, worstCase };
}

export interface MeteredRequest {
  owner: Owner;
  apiKeyId: string;
  modelId: string;
  reservation: Reservation;
  inputTokens: number;
  outputTokens: number;
  /** The actual cost of the tokens (priceOf). */
  cost: Decimal;
  status: UsageStatus;
  latencyMs: number;
  /**
   * The UsageRecord's id. A settlement retried with the same id is recorded once: should an
   * earlier attempt have committed before its connection dropped, the retry changes nothing.
   */
  recordId?: string;
}

/**
 * Settles a reservation and records the request, all in one statement: the pool
 * gets back what was reserved but not spent, and the usage record, the key's
 * counters and the (owner, model) counters grow by the same coins. A LIMITED pool
 * is never charged more than was reserved (an upstream that overshoots the limits
 * it was given is not billed beyond them), so its balance cannot go negative.
 */
export async function recordUsage(request: MeteredRequest): Promise<{ coins: Decimal }> {
  const { owner, reservation } = request;
  const inputTokens = safeCount(request.inputTokens);
  const outputTokens = safeCount(request.outputTokens);
  const coins = reservation.state === 'LIMITED' && request.cost.greaterThan(reservation.reserved) ? reservation.reserved : request.cost;
  const coinText = coins.toFixed();
  const { clientId, userId } = ownerColumns(owner);
  const limited = reservation.state === 'LIMITED';
  const refund = limited ? reservation.reserved.minus(coins).toFixed() : '0';
  // One statement with data-modifying CTEs: a single round trip, and atomic as a whole
  // (PostgreSQL runs a statement in one transaction), so pool, record and counters agree.
  // Settling removes the ledger row and gives back the unspent part. Should the row be
  // gone (the sweeper reclaimed it, believing this process dead), the whole reservation
  // went back already, so the cost is taken now instead (never below zero).
  // "done": this settlement's record exists already (an earlier attempt committed but its
  // answer was lost with the connection), so nothing is changed a second time.
  const recordId = request.recordId ?? uuidv7();
  await db().$executeRaw`
    WITH "done" AS (
      SELECT 1 FROM "UsageRecord" WHERE "id" = ${recordId}::uuid
    ), "ledger" AS (
      DELETE FROM "CoinReservation" WHERE "id" = ${reservation.id}::uuid AND NOT EXISTS (SELECT 1 FROM "done")
      RETURNING "id"
    ), "pool" AS (
      UPDATE "CoinPool" SET "balance" = CASE WHEN EXISTS (SELECT 1 FROM "ledger") THEN "balance" + ${refund}::numeric
                                             ELSE GREATEST("balance" - ${coinText}::numeric, 0) END
       WHERE "id" = ${reservation.poolId}::uuid AND ${limited}::boolean AND NOT EXISTS (SELECT 1 FROM "done")
      RETURNING "id"
    ), "record" AS (
      INSERT INTO "UsageRecord" ("id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "reservedCoins", "status", "latencyMs")
      SELECT ${recordId}::uuid, ${request.apiKeyId}::uuid, ${clientId}::uuid, ${userId}::uuid, ${request.modelId}::uuid,
              ${inputTokens}::int, ${outputTokens}::int, ${coinText}::numeric, ${reservation.worstCase.toFixed()}::numeric, ${request.status}, ${Math.max(0, Math.round(request.latencyMs))}::int
       WHERE NOT EXISTS (SELECT 1 FROM "done")
      RETURNING "id"
    ), "key" AS (
      UPDATE "ApiKey" SET "requests" = "requests" + 1, "inputTokens" = "inputTokens" + ${inputTokens}::int,
             "outputTokens" = "outputTokens" + ${outputTokens}::int, "coinsSpent" = "coinsSpent" + ${coinText}::numeric, "lastUsedAt" = now()
       WHERE "id" = ${request.apiKeyId}::uuid AND NOT EXISTS (SELECT 1 FROM "done")
      RETURNING "id"
    ), "perModel" AS (
      INSERT INTO "ModelUsage" ("id", "clientId", "userId", "modelId", "requests", "inputTokens", "outputTokens", "coinsSpent", "lastUsedAt")
      SELECT ${uuidv7()}::uuid, ${clientId}::uuid, ${userId}::uuid, ${request.modelId}::uuid, 1, ${inputTokens}::int, ${outputTokens}::int, ${coinText}::numeric, now()
       WHERE NOT EXISTS (SELECT 1 FROM "done")
      ON CONFLICT ${owner.clientId ? Prisma.sql`("clientId", "modelId")` : Prisma.sql`("userId", "modelId")`} DO UPDATE SET
        "requests" = "ModelUsage"."requests" + 1,
        "inputTokens" = "ModelUsage"."inputTokens" + EXCLUDED."inputTokens",
        "outputTokens" = "ModelUsage"."outputTokens" + EXCLUDED."outputTokens",
        "coinsSpent" = "ModelUsage"."coinsSpent" + EXCLUDED."coinsSpent",
        "lastUsedAt" = EXCLUDED."lastUsedAt"
      RETURNING "id"
    )
    SELECT (SELECT count(*) FROM "ledger") + (SELECT count(*) FROM "pool") + (SELECT count(*) FROM "record") + (SELECT count(*) FROM "key") + (SELECT count(*) FROM "perModel")`;
  if (reservation.id) live.delete(reservation.id);
  publishOwnerChange({ change: 'METERED', clientId, userId, apiKeyId: request.apiKeyId, modelId: request.modelId });
  return { coins };
}

/** Gives a reservation back in full, for a request that was never forwarded. */
export async function releaseReservation(reservation: Reservation): Promise<void> {
  if (!reservation.id) return;
  try {
    await db().$executeRaw`
      WITH "ledger" AS (DELETE FROM "CoinReservation" WHERE "id" = ${reservation.id}::uuid RETURNING "amount")
      UPDATE "CoinPool" SET "balance" = "balance" + (SELECT "amount" FROM "ledger")
       WHERE "id" = ${reservation.poolId}::uuid AND EXISTS (SELECT 1 FROM "ledger")`;
  } finally {
    // Released now, or (the database unreachable) reclaimed by a sweeper later: either way, given back once.
    live.delete(reservation.id);
  }
}

/**
 * Stops keeping a reservation alive, for a settlement that can never be recorded: the
 * sweeper of any instance gives it back after ABANDONED_AFTER_MS, instead of the coins
 * staying reserved for as long as this process runs.
 */
export function letReservationLapse(reservation: Reservation): void {
  if (reservation.id) live.delete(reservation.id);
}

/** Marks this process's reservations as still in use (the sweeper calls it every few seconds). */
export async function touchLiveReservations(): Promise<void> {
  if (live.size === 0) return;
  await db().$executeRaw`UPDATE "CoinReservation" SET "touchedAt" = now() WHERE "id" = ANY(${[...live]}::uuid[])`;
}

/** Untouched this long, a reservation belongs to a process that died (2 minutes: many missed sweeps). */
export const ABANDONED_AFTER_MS = 2 * 60_000;

/**
 * Gives back reservations whose process stopped touching them (a crash between
 * reserving and settling), in one statement; returns how many.
 */
export async function reclaimAbandonedReservations(olderThanMs = ABANDONED_AFTER_MS): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs).toISOString();
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH "gone" AS (
      DELETE FROM "CoinReservation" WHERE "touchedAt" < ${cutoff}::timestamptz RETURNING "poolId", "amount"
    ), "sums" AS (
      SELECT "poolId", sum("amount") AS "amount", count(*) AS "n" FROM "gone" GROUP BY "poolId"
    )
    UPDATE "CoinPool" AS p SET "balance" = p."balance" + "sums"."amount"
      FROM "sums" WHERE p."id" = "sums"."poolId"
    RETURNING p."id"`;
  return rows.length;
}

function safeCount(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, 2 ** 31 - 1) : 0;
}
