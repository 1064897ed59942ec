// Coin pools: a client's budget (or the budget of a user's personal keys). UNLIMITED pools are metered but never refuse;
// NOT_CONFIGURED pools (every new client's) refuse until an admin sets one up;
// LIMITED pools hold a balance up to a capacity, optionally refilled on a schedule.
import DataLoader from 'dataloader';
import { db, type Tx } from '../db/current.ts';
import { publishInvalidation, publishOwnerChange } from '../events/bus.ts';
import type { CoinPool } from '../generated/prisma/client.ts';
import { CoinPoolState } from '../generated/prisma/enums.ts';
import { log } from '../log.ts';
import { recordAudit } from './audit.ts';
import { checkBudgetAlerts } from './budgetAlertCrossings.ts';
import { requireClient } from './clients.ts';
import { exact, parseCoins, requireNonNegative, type Decimal } from './coins.ts';
import { badInput } from './errors.ts';
import { requireWholeNumber } from './input.ts';
import { ownerColumns, ownerWhere, type Owner } from './owner.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

export interface SetCoinPoolInput {
  state: CoinPoolState;
  capacity?: string | null;
  balance?: string | null;
  refillAmount?: string | null;
  refillIntervalSeconds?: number | null;
}

const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

interface PoolSettings {
  state: CoinPoolState;
  capacity: Decimal | null;
  balance: Decimal | null;
  refillAmount: Decimal | null;
  refillIntervalSeconds: number | null;
}

function checkSettings(input: SetCoinPoolInput, current: CoinPool | null): PoolSettings {
  if (!Object.values(CoinPoolState).includes(input.state)) {
    throw badInput(`state must be one of: ${Object.values(CoinPoolState).join(', ')}`, 'state');
  }
  const coins = (value: string | null | undefined, field: string) =>
    value == null ? null : requireNonNegative(parseCoins(value, field), field);
  const capacity = coins(input.capacity, 'capacity');
  const balance = coins(input.balance, 'balance');
  const refillAmount = coins(input.refillAmount, 'refillAmount');
  const interval = input.refillIntervalSeconds ?? null;
  if (input.state !== 'LIMITED') {
    for (const [field, value] of Object.entries({ capacity, balance, refillAmount, refillIntervalSeconds: interval })) {
      if (value !== null) throw badInput(`${field} applies only to LIMITED pools; leave it out for ${input.state}`, field);
    }
    return { state: input.state, capacity: null, balance: null, refillAmount: null, refillIntervalSeconds: null };
  }
  if (capacity === null || capacity.isZero()) throw badInput('A LIMITED pool needs a capacity greater than 0', 'capacity');
  if (balance !== null && balance.greaterThan(capacity)) throw badInput('balance cannot be more than capacity', 'balance');
  // Keep what is left when only the limits change (capped at the new capacity); a newly limited pool starts full.
  const kept = current?.state === 'LIMITED' ? exact(current.balance) : capacity;
  const newBalance = balance ?? (kept.greaterThan(capacity) ? capacity : kept);
  if ((refillAmount === null) !== (interval === null)) {
    throw badInput(
      'Give both refillAmount and refillIntervalSeconds for a refill, or neither for none',
      refillAmount === null ? 'refillAmount' : 'refillIntervalSeconds',
    );
  }
  if (refillAmount !== null && refillAmount.isZero()) throw badInput('refillAmount must be greater than 0', 'refillAmount');
  if (interval !== null) requireWholeNumber(interval, 'refillIntervalSeconds', 1, MAX_INTERVAL_SECONDS);
  return { state: 'LIMITED', capacity, balance: newBalance, refillAmount, refillIntervalSeconds: interval };
}

export async function setCoinPool(actor: Viewer, owner: Owner, input: SetCoinPoolInput) {
  const result = await db().$transaction(async (tx) => {
    const target = owner.clientId
      ? { type: 'Client' as const, ...(await requireClient(tx, owner.clientId)) }
      : { type: 'User' as const, ...(await requireUser(tx, owner.userId!)) };
    const row = await tx.coinPool.findFirst({ where: ownerWhere(owner) });
    // The pool's leases go in this transaction: their unspent coins are part of the balance
    // the change starts from, and instances still settling against them charge the pool.
    const leased = row ? await takeBackLeases(tx, row.id) : exact(0);
    const current = row && { ...row, balance: exact(row.balance).plus(leased) };
    const settings = checkSettings(input, current);
    const refillChanged =
      settings.refillIntervalSeconds !== current?.refillIntervalSeconds ||
      !(settings.refillAmount === null
        ? current?.refillAmount == null
        : current?.refillAmount != null && settings.refillAmount.equals(exact(current.refillAmount)));
    const data = {
      state: settings.state,
      capacity: settings.capacity?.toFixed() ?? null,
      balance: (settings.balance ?? exact(0)).toFixed(),
      refillAmount: settings.refillAmount?.toFixed() ?? null,
      refillIntervalSeconds: settings.refillIntervalSeconds,
      // A new or changed schedule starts counting now; an unchanged one keeps its rhythm.
      lastRefillAt:
        settings.refillIntervalSeconds === null ? null : refillChanged || !current?.lastRefillAt ? new Date() : current.lastRefillAt,
      updatedAt: new Date(),
    };
    const pool = current
      ? await tx.coinPool.update({ where: { id: current.id }, data })
      : await tx.coinPool.create({ data: { ...ownerColumns(owner), ...data } });
    await recordAudit(
      tx,
      actor,
      target.type === 'Client' ? 'client.setCoinPool' : 'user.setCoinPool',
      { type: target.type, id: target.id },
      {
        state: data.state,
        capacity: data.capacity,
        balance: data.balance,
        refillAmount: data.refillAmount,
        refillIntervalSeconds: data.refillIntervalSeconds,
        previous: current
          ? {
              state: current.state,
              balance: exact(current.balance).toFixed(),
              capacity: current.capacity && exact(current.capacity).toFixed(),
            }
          : null,
      },
    );
    return { pool, targetId: target.id };
  });
  publishInvalidation('coinPool.set');
  publishOwnerChange({ change: 'POOL_CHANGED', ...ownerColumns(owner), apiKeyId: null, modelId: null });
  // The admin's balance may cross budget alert thresholds either way: fire them, or arm them again.
  if (owner.clientId) {
    // The change is made whatever happens here; a failed check is caught up by the next one.
    await checkBudgetAlerts([owner.clientId], { rearm: true }).catch((error: unknown) =>
      log.warn({ err: error }, 'budget alert thresholds could not be checked after a pool change'),
    );
  }
  return result;
}

/**
 * The real next refill time: missed intervals are credited when the pool is next
 * refilled, so the next one is the first interval boundary after now.
 */
export function nextRefillAt(pool: Pick<CoinPool, 'lastRefillAt' | 'refillIntervalSeconds'>, now = new Date()): Date | null {
  if (!pool.lastRefillAt || !pool.refillIntervalSeconds) return null;
  const intervalMs = pool.refillIntervalSeconds * 1000;
  const elapsed = Math.max(0, now.getTime() - pool.lastRefillAt.getTime());
  return new Date(pool.lastRefillAt.getTime() + (Math.floor(elapsed / intervalMs) + 1) * intervalMs);
}

/** A client's pool, the common case. */
export async function setClientCoinPool(actor: Viewer, clientId: string, input: SetCoinPoolInput) {
  return setCoinPool(actor, { clientId }, input);
}

/** Deletes the pool's coin leases; returns the coins they still held. */
async function takeBackLeases(tx: Tx, poolId: string): Promise<Decimal> {
  const [row] = await tx.$queryRaw<{ amount: string | null }[]>`
    WITH "gone" AS (DELETE FROM "CoinLease" WHERE "poolId" = ${poolId}::uuid RETURNING "amount")
    SELECT sum("amount")::text AS "amount" FROM "gone"`;
  return exact(row?.amount ?? '0');
}

/**
 * Owners' pools as coinPool shows them, in one statement: a LIMITED pool's balance is its
 * row plus the unspent remainder of its live leases as last committed (domain/leases.ts).
 */
export async function readCoinPools(owners: Owner[]): Promise<CoinPool[]> {
  const clientIds = owners.flatMap((o) => (o.clientId ? [o.clientId] : []));
  const userIds = owners.flatMap((o) => (o.userId ? [o.userId] : []));
  if (clientIds.length === 0 && userIds.length === 0) return [];
  const rows = await db().$queryRaw<CoinPool[]>`
    SELECT p."id", p."clientId", p."userId", p."state"::text AS "state", p."capacity",
           p."balance" + coalesce((SELECT sum(l."amount") FROM "CoinLease" l WHERE l."poolId" = p."id"), 0) AS "balance",
           p."refillAmount", p."refillIntervalSeconds", p."lastRefillAt", p."updatedAt"
      FROM "CoinPool" p
     WHERE p."clientId" = ANY(${clientIds}::uuid[]) OR p."userId" = ANY(${userIds}::uuid[])`;
  return rows;
}

// The look-ups of one turn of the event loop (a list of clients, say) go as one statement.
const poolLoader = new DataLoader<Owner, CoinPool | null, string>(
  async (owners) => {
    const pools = await readCoinPools([...owners]);
    const byOwner = new Map(pools.map((pool) => [pool.clientId ? `c:${pool.clientId}` : `u:${pool.userId}`, pool]));
    return owners.map((owner) => byOwner.get(owner.clientId ? `c:${owner.clientId}` : `u:${owner.userId}`) ?? null);
  },
  { cache: false },
);

/** One owner's pool as coinPool shows it (see readCoinPools); null when it has none. */
export function readCoinPool(owner: Owner): Promise<CoinPool | null> {
  return poolLoader.load(owner);
}
