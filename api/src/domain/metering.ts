// Metering: every /v1 request reserves its worst-case cost before it is forwarded
// and is settled to its actual cost afterwards, in the same transaction that
// records its usage. The reservation is one conditional UPDATE, so concurrent
// requests can never spend more than a LIMITED pool holds (and a CHECK in the
// database refuses a negative balance should anything else try).
import { db } from '../db/current.ts';
import { publishOwnerChange } from '../events/bus.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { costOf, exact, type Decimal } from './coins.ts';
import { nextRefillAt } from './coinPools.ts';
import { ownerColumns, type Owner } from './owner.ts';
import { refillDuePools } from './refills.ts';
import { uuidv7 } from './uuid.ts';

/** How a forwarded request ended, as recorded in UsageRecord.status (model health reads these). */
export type UsageStatus = 'ok' | 'client_disconnected' | 'upstream_rejected' | 'upstream_error' | 'upstream_timeout';
export const FAILED_STATUSES: readonly UsageStatus[] = ['upstream_error', 'upstream_timeout'];

export interface Prices {
  inputCoinsPerMillion: Prisma.Decimal | string;
  outputCoinsPerMillion: Prisma.Decimal | string;
}

export function priceOf(model: Prices, inputTokens: number, outputTokens: number): Decimal {
  return costOf(inputTokens, outputTokens, exact(model.inputCoinsPerMillion), exact(model.outputCoinsPerMillion));
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

export interface Reservation {
  poolId: string;
  state: 'LIMITED' | 'UNLIMITED';
  /** Coins taken from a LIMITED pool's balance until the request is settled; 0 for UNLIMITED. */
  reserved: Decimal;
}

export type BudgetRefusal =
  | { reason: 'NOT_CONFIGURED' }
  | { reason: 'EXHAUSTED'; balance: Decimal; needed: Decimal; nextRefillAt: Date | null };

export class BudgetError extends Error {
  constructor(readonly refusal: BudgetRefusal) {
    super(refusal.reason === 'NOT_CONFIGURED' ? 'The coin pool is not configured' : 'The coin budget is exhausted');
    this.name = 'BudgetError';
  }
}

const ownerIs = (owner: Owner) =>
  owner.clientId ? Prisma.sql`"clientId" = ${owner.clientId}::uuid` : Prisma.sql`"userId" = ${owner.userId}::uuid`;

async function tryReserve(owner: Owner, amount: Decimal) {
  return db().$queryRaw<{ id: string; state: 'LIMITED' | 'UNLIMITED' }[]>`
    UPDATE "CoinPool"
       SET "balance" = CASE WHEN "state" = 'LIMITED' THEN "balance" - ${amount.toFixed()}::numeric ELSE "balance" END
     WHERE ${ownerIs(owner)}
       AND ("state" = 'UNLIMITED' OR ("state" = 'LIMITED' AND "balance" >= ${amount.toFixed()}::numeric))
    RETURNING "id", "state"::text AS "state"`;
}

/**
 * Takes `worstCase` coins from the owner's LIMITED pool, or admits the request on
 * an UNLIMITED one. A pool that is missing or NOT_CONFIGURED refuses (an admin
 * must set it up); a LIMITED pool that cannot cover the cost refuses after
 * crediting any refill that is due.
 */
export async function reserveCoins(owner: Owner, worstCase: Decimal): Promise<Reservation> {
  let rows = await tryReserve(owner, worstCase);
  if (rows.length === 0) {
    const pool = await db().coinPool.findFirst({ where: owner.clientId ? { clientId: owner.clientId } : { userId: owner.userId } });
    if (!pool || pool.state === 'NOT_CONFIGURED') throw new BudgetError({ reason: 'NOT_CONFIGURED' });
    if (pool.state === 'LIMITED' && (await refillDuePools({ poolId: pool.id })).length > 0) rows = await tryReserve(owner, worstCase);
    if (rows.length === 0) {
      const now = await db().coinPool.findUnique({ where: { id: pool.id } });
      if (!now || now.state === 'NOT_CONFIGURED') throw new BudgetError({ reason: 'NOT_CONFIGURED' });
      if (now.state === 'UNLIMITED') return reserveCoins(owner, worstCase);
      throw new BudgetError({ reason: 'EXHAUSTED', balance: exact(now.balance), needed: worstCase, nextRefillAt: nextRefillAt(now) });
    }
  }
  const [row] = rows;
  return { poolId: row.id, state: row.state, reserved: row.state === 'LIMITED' ? worstCase : exact(0) };
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
  await db().$executeRaw`
    WITH "pool" AS (
      UPDATE "CoinPool" SET "balance" = "balance" + ${refund}::numeric
       WHERE "id" = ${reservation.poolId}::uuid AND ${limited}::boolean
      RETURNING "id"
    ), "record" AS (
      INSERT INTO "UsageRecord" ("id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "status", "latencyMs")
      VALUES (${uuidv7()}::uuid, ${request.apiKeyId}::uuid, ${clientId}::uuid, ${userId}::uuid, ${request.modelId}::uuid,
              ${inputTokens}::int, ${outputTokens}::int, ${coinText}::numeric, ${request.status}, ${Math.max(0, Math.round(request.latencyMs))}::int)
      RETURNING "id"
    ), "key" AS (
      UPDATE "ApiKey" SET "requests" = "requests" + 1, "inputTokens" = "inputTokens" + ${inputTokens}::int,
             "outputTokens" = "outputTokens" + ${outputTokens}::int, "coinsSpent" = "coinsSpent" + ${coinText}::numeric, "lastUsedAt" = now()
       WHERE "id" = ${request.apiKeyId}::uuid
      RETURNING "id"
    ), "perModel" AS (
      INSERT INTO "ModelUsage" ("id", "clientId", "userId", "modelId", "requests", "inputTokens", "outputTokens", "coinsSpent", "lastUsedAt")
      VALUES (${uuidv7()}::uuid, ${clientId}::uuid, ${userId}::uuid, ${request.modelId}::uuid, 1, ${inputTokens}::int, ${outputTokens}::int, ${coinText}::numeric, now())
      ON CONFLICT ${owner.clientId ? Prisma.sql`("clientId", "modelId")` : Prisma.sql`("userId", "modelId")`} DO UPDATE SET
        "requests" = "ModelUsage"."requests" + 1,
        "inputTokens" = "ModelUsage"."inputTokens" + EXCLUDED."inputTokens",
        "outputTokens" = "ModelUsage"."outputTokens" + EXCLUDED."outputTokens",
        "coinsSpent" = "ModelUsage"."coinsSpent" + EXCLUDED."coinsSpent",
        "lastUsedAt" = EXCLUDED."lastUsedAt"
      RETURNING "id"
    )
    SELECT (SELECT count(*) FROM "pool") + (SELECT count(*) FROM "record") + (SELECT count(*) FROM "key") + (SELECT count(*) FROM "perModel")`;
  publishOwnerChange({ change: 'METERED', clientId, userId, apiKeyId: request.apiKeyId, modelId: request.modelId });
  return { coins };
}

/** Gives a reservation back in full, for a request that was never forwarded. */
export async function releaseReservation(reservation: Reservation): Promise<void> {
  if (reservation.state !== 'LIMITED' || reservation.reserved.isZero()) return;
  await db().$executeRaw`UPDATE "CoinPool" SET "balance" = "balance" + ${reservation.reserved.toFixed()}::numeric WHERE "id" = ${reservation.poolId}::uuid`;
}

function safeCount(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? Math.min(value, 2 ** 31 - 1) : 0;
}
