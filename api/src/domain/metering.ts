// Metering: every /v1 request reserves its worst-case cost before it is forwarded and
// is settled to its actual cost afterwards, in the same transaction that records its
// usage (domain/settlementQueue.ts). On a LIMITED pool the reservation comes from this
// instance's coin lease, in memory (domain/leases.ts); when the pool is too low for a
// lease, from the pool row itself, one conditional UPDATE per request, so concurrent
// requests on any number of instances never spend more than the pool holds (and a CHECK
// in the database refuses a negative balance should anything else try).
import { database, db } from '../db/current.ts';
import { onInvalidation, onLeaseRecall, publishLeaseRecall } from '../events/bus.ts';
import { Prisma, type CoinPoolState } from '../generated/prisma/client.ts';
import { costOf, exact, type Decimal } from './coins.ts';
import { nextRefillAt } from './coinPools.ts';
import {
  INSTANCE_ID,
  knownPoolState,
  recallLease,
  recheckPools,
  releasedOnLease,
  reserveFromLease,
  returnSmallLease,
  takeLease,
  type Lease,
} from './leases.ts';
import type { Owner } from './owner.ts';
import { refillDuePools } from './refills.ts';
import { settle, type MeteredRequest } from './settlementQueue.ts';
import { uuidv7 } from './uuid.ts';

export type { MeteredRequest } from './settlementQueue.ts';

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
  /** The CoinReservation row of a per-request reservation on a LIMITED pool; null otherwise. */
  id: string | null;
  /** The lease the worst case was reserved from, in memory; null otherwise. */
  lease: Lease | null;
  poolId: string;
  state: PayingState;
  /** Coins held for the request on a LIMITED pool (from a lease or the pool row) until it is settled; 0 for UNLIMITED. */
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

/** Per-request reservations this process holds, touched by the sweeper so that no other instance reclaims them. */
const live = new Set<string>();

// An admin's change to a pool reaches every instance as an invalidation: what was known of
// pool states is forgotten, and leases whose rows went with the change are dropped.
onInvalidation(() => {
  recheckPools().catch(() => undefined);
});
onLeaseRecall((event) => recallLease(event.poolId));

const RESERVE = {
  name: 'lumen_reserve',
  // The debit and its ledger row in one statement: a reservation never exists without the other.
  text: `
    WITH "pool" AS (
      UPDATE "CoinPool" SET "balance" = "balance" - $3::numeric
       WHERE ("clientId" = $1::uuid OR "userId" = $2::uuid) AND "state" = 'LIMITED' AND "balance" >= $3::numeric
      RETURNING "id"
    ), "ledger" AS (
      INSERT INTO "CoinReservation" ("id", "poolId", "amount") SELECT $4::uuid, "id", $3::numeric FROM "pool" RETURNING "id"
    )
    SELECT "id" FROM "pool"`,
};

const unlimited = (poolId: string, worstCase: Decimal): Reservation => ({
  id: null,
  lease: null,
  poolId,
  state: 'UNLIMITED',
  reserved: exact(0),
  worstCase,
});

const fromLease = (lease: Lease, worstCase: Decimal): Reservation => ({
  id: null,
  lease,
  poolId: lease.poolId,
  state: 'LIMITED',
  reserved: worstCase,
  worstCase,
});

/**
 * Holds `worstCase` coins of the owner's LIMITED pool for a request, or admits it on an
 * UNLIMITED one. The common case asks nothing of the database: the pool is known to be
 * UNLIMITED, or this instance's lease covers the request. A pool that is missing or
 * NOT_CONFIGURED refuses (an admin must set it up); a LIMITED pool that cannot cover the
 * cost refuses after crediting any refill that is due.
 */
export async function reserveCoins(owner: Owner, worstCase: Decimal): Promise<Reservation> {
  const known = knownPoolState(owner);
  if (known?.state === 'UNLIMITED') return unlimited(known.poolId, worstCase);
  const held = reserveFromLease(owner, worstCase);
  if (held) return fromLease(held, worstCase);
  const pool = await takeLease(owner, worstCase);
  if (!pool || pool.state === 'NOT_CONFIGURED') throw new BudgetError({ reason: 'NOT_CONFIGURED' });
  if (pool.state === 'UNLIMITED') return unlimited(pool.poolId, worstCase);
  const leased = reserveFromLease(owner, worstCase);
  if (leased) return fromLease(leased, worstCase);
  // Too little left for a lease: what remains of ours goes back, and the request reserves from the pool row.
  await returnSmallLease(owner);
  return reservePerRequest(owner, pool.poolId, worstCase);
}

/**
 * Reserves `worstCase` from the LIMITED pool row itself, with a ledger row of its own (the
 * last coins of a pool, too few for a lease), crediting a due refill first if it must.
 */
export async function reservePerRequest(owner: Owner, poolId: string, worstCase: Decimal): Promise<Reservation> {
  const id = uuidv7();
  const reserve = () =>
    database().hot.query<{ id: string }>(RESERVE, [owner.clientId ?? null, owner.userId ?? null, worstCase.toFixed(), id]);
  let rows = await reserve();
  if (rows.length === 0 && (await refillDuePools({ poolId })).length > 0) rows = await reserve();
  if (rows.length === 0) throw await exhausted(poolId, worstCase);
  live.add(id);
  return { id, lease: null, poolId, state: 'LIMITED', reserved: worstCase, worstCase };
}

/** Pools for which other instances were asked for their leases lately (at most once a second each). */
const recalled = new Map<string, number>();

/** The refusal for a LIMITED pool that cannot cover `needed`, naming the balance as coinPool.balance shows it. */
async function exhausted(poolId: string, needed: Decimal): Promise<BudgetError> {
  const now = await db().coinPool.findUnique({
    where: { id: poolId },
    include: { leases: { select: { amount: true, instanceId: true } } },
  });
  if (!now || now.state === 'NOT_CONFIGURED') return new BudgetError({ reason: 'NOT_CONFIGURED' });
  // Coins leased by other instances come back when asked: the next try may find them.
  if (now.leases.some((lease) => lease.instanceId !== INSTANCE_ID) && Date.now() - (recalled.get(poolId) ?? 0) > 1000) {
    recalled.set(poolId, Date.now());
    publishLeaseRecall(poolId);
  }
  const balance = now.leases.reduce((sum, lease) => sum.plus(exact(lease.amount)), exact(now.balance));
  return new BudgetError({ reason: 'EXHAUSTED', balance, needed, nextRefillAt: nextRefillAt(now) });
}

/** Settles one request now and waits for it to be recorded (tools, seeding and tests; /v1 uses settle). */
export async function recordUsage(request: MeteredRequest): Promise<{ coins: Decimal }> {
  const settlement = await settle(request);
  await settlement.recorded;
  return { coins: settlement.coins };
}

const RELEASE = {
  name: 'lumen_release',
  text: `
    WITH "ledger" AS (DELETE FROM "CoinReservation" WHERE "id" = $1::uuid RETURNING "amount")
    UPDATE "CoinPool" SET "balance" = "balance" + (SELECT "amount" FROM "ledger")
     WHERE "id" = $2::uuid AND EXISTS (SELECT 1 FROM "ledger")`,
};

/** Gives a reservation back in full, for a request that was never forwarded. */
export async function releaseReservation(reservation: Reservation): Promise<void> {
  if (reservation.lease) return releasedOnLease(reservation.lease, reservation.reserved);
  if (!reservation.id) return;
  try {
    await database().hot.query(RELEASE, [reservation.id, reservation.poolId]);
  } finally {
    // Released now, or (the database unreachable) reclaimed by a sweeper later: either way, given back once.
    live.delete(reservation.id);
  }
}

/**
 * Stops keeping a per-request reservation alive: it was settled, or its settlement can never
 * be recorded (the sweeper of any instance then gives it back after ABANDONED_AFTER_MS,
 * instead of the coins staying reserved for as long as this process runs).
 */
export function forgetReservation(reservation: Reservation): void {
  if (reservation.id) live.delete(reservation.id);
}

/** Marks this process's reservations as still in use (the sweeper calls it every few seconds). */
export async function touchLiveReservations(): Promise<void> {
  if (live.size === 0) return;
  await db().$executeRaw`UPDATE "CoinReservation" SET "touchedAt" = now() WHERE "id" = ANY(${[...live]}::uuid[])`;
}

/** Untouched this long, a reservation or lease belongs to a process that died (2 minutes: many missed sweeps). */
export const ABANDONED_AFTER_MS = 2 * 60_000;

/**
 * Gives back reservations and leases whose process stopped touching them (a crash between
 * reserving and settling), in one statement; returns how many pools were credited.
 */
export async function reclaimAbandonedReservations(olderThanMs = ABANDONED_AFTER_MS): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs).toISOString();
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH "gone" AS (
      DELETE FROM "CoinReservation" WHERE "touchedAt" < ${cutoff}::timestamptz RETURNING "poolId", "amount"
    ), "goneLeases" AS (
      DELETE FROM "CoinLease" WHERE "touchedAt" < ${cutoff}::timestamptz RETURNING "poolId", "amount"
    ), "sums" AS (
      SELECT "poolId", sum("amount") AS "amount" FROM (SELECT * FROM "gone" UNION ALL SELECT * FROM "goneLeases") AS "both" GROUP BY "poolId"
    )
    UPDATE "CoinPool" AS p SET "balance" = p."balance" + "sums"."amount"
      FROM "sums" WHERE p."id" = "sums"."poolId"
    RETURNING p."id"`;
  return rows.length;
}
