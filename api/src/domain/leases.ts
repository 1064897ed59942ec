// Coin leases: this instance takes a slice of a LIMITED pool's balance into memory (one
// statement: debit the pool, write a lease row owned by this instance) and admits requests
// against it without touching the database. A request reserves its worst case from the
// lease in memory; its settlement (domain/settlementQueue.ts) lowers the lease row by the
// actual cost, and the unspent part is available again at once.
//
// Sizes adapt: a lease covers about LEASE_SECONDS of this instance's recent spend on the
// pool (at least MIN_REQUESTS requests' worst case) and never more than half of what the
// pool row holds, so several instances share a pool and leases shrink as it empties. When
// even half the pool would not cover two requests, no lease is taken and requests reserve
// one by one from the pool row (domain/metering.ts), so the last coins are spent exactly.
//
// A lease is given back (row deleted, its remainder credited to the pool) when it runs low
// and a new one replaces it, when idle, when another instance needs the coins (a recall on
// the bus), and at shutdown; an admin who changes the pool deletes its leases
// (coinPools.ts); the sweeper gives back the leases of an instance that died.
import { randomUUID } from 'node:crypto';
import { database } from '../db/current.ts';
import { exact, Decimal } from './coins.ts';
import type { Owner } from './owner.ts';
import { uuidv7 } from './uuid.ts';

/** This process, as lease rows name it. */
export const INSTANCE_ID = randomUUID();

const LEASE_SECONDS = 2;
const MIN_REQUESTS = 16;
/** A lease unused this long goes back to its pool. */
export const LEASE_IDLE_MS = 10_000;

export interface Lease {
  id: string;
  /** The owner's entry in `pools`. */
  key: string;
  poolId: string;
  /**
   * What new requests may reserve: what the lease row holds as far as this process knows (the
   * slice less settled costs, committed or queued), less the worst cases of open requests.
   */
  available: Decimal;
  /** Requests admitted against it whose settlement has not committed yet. */
  open: number;
  lastUsedAt: number;
  /** No new admissions: given back once `open` is 0. */
  retiring: boolean;
  /** The row is gone (an admin changed the pool, or a sweeper reclaimed it): settlements charge the pool. */
  gone: boolean;
}

export type PoolState = 'LIMITED' | 'UNLIMITED' | 'NOT_CONFIGURED';

interface OwnerPool {
  owner: Owner;
  poolId: string | null;
  /** The pool's state as last read; null: unknown (read again on the next request). */
  state: PoolState | null;
  current: Lease | null;
  /** Older leases of this pool with requests still open. */
  retiring: Set<Lease>;
  /** One lease statement at a time per pool. */
  taking: Promise<unknown> | null;
  /** Worst-case coins admitted per second, smoothed. */
  rate: number;
  rateAt: number;
}

const pools = new Map<string, OwnerPool>();
const ownerKey = (owner: Owner) => (owner.clientId ? `c:${owner.clientId}` : `u:${owner.userId}`);

function poolOf(owner: Owner): OwnerPool {
  const key = ownerKey(owner);
  let entry = pools.get(key);
  if (!entry) {
    entry = { owner, poolId: null, state: null, current: null, retiring: new Set(), taking: null, rate: 0, rateAt: Date.now() };
    pools.set(key, entry);
  }
  return entry;
}

/** The pool's state as this process last knew it, without asking the database. */
export function knownPoolState(owner: Owner): { state: PoolState; poolId: string } | null {
  const entry = pools.get(ownerKey(owner));
  return entry?.state && entry.poolId ? { state: entry.state, poolId: entry.poolId } : null;
}

function noteSpend(entry: OwnerPool, coins: Decimal) {
  const now = Date.now();
  const seconds = Math.max(0.001, (now - entry.rateAt) / 1000);
  // Exponential smoothing over about a second: the lease size follows the current spend.
  const weight = Math.min(1, seconds);
  entry.rate = entry.rate * (1 - weight) + (coins.toNumber() / seconds) * weight;
  entry.rateAt = now;
}

/** Reserves `worstCase` from this instance's lease on the owner's pool, in memory; null when it cannot. */
export function reserveFromLease(owner: Owner, worstCase: Decimal): Lease | null {
  const entry = pools.get(ownerKey(owner));
  const lease = entry?.current;
  if (!entry || !lease || lease.retiring || lease.gone || lease.available.lessThan(worstCase)) return null;
  lease.available = lease.available.minus(worstCase);
  lease.open++;
  lease.lastUsedAt = Date.now();
  noteSpend(entry, worstCase);
  return lease;
}

const TAKE_LEASE = {
  name: 'lumen_take_lease',
  text: `
    WITH "pool" AS (
      SELECT "id", "state", "balance" FROM "CoinPool" WHERE "clientId" = $1::uuid OR "userId" = $2::uuid FOR UPDATE
    ), "slice" AS (
      SELECT "id", LEAST($3::numeric, trunc("balance" / 2, 12)) AS "amount" FROM "pool" WHERE "state" = 'LIMITED'
    ), "debit" AS (
      UPDATE "CoinPool" p SET "balance" = p."balance" - s."amount" FROM "slice" s
       WHERE p."id" = s."id" AND s."amount" >= $4::numeric
      RETURNING s."id", s."amount"
    ), "lease" AS (
      INSERT INTO "CoinLease" ("id", "poolId", "instanceId", "amount")
      SELECT $5::uuid, d."id", $6, d."amount" FROM "debit" d
      RETURNING "amount"
    )
    SELECT "pool"."id", "pool"."state"::text AS "state", (SELECT "amount"::text FROM "lease") AS "leased" FROM "pool"`,
};

const RETURN_LEASE = {
  name: 'lumen_return_lease',
  text: `
    WITH "gone" AS (DELETE FROM "CoinLease" WHERE "id" = $1::uuid RETURNING "poolId", "amount")
    UPDATE "CoinPool" p SET "balance" = p."balance" + g."amount" FROM "gone" g WHERE p."id" = g."poolId"
    RETURNING g."amount"::text AS "amount"`,
};

/**
 * Reads the owner's pool and, if it is LIMITED and can spare one, takes a new lease sized for
 * `worstCase` and the recent spend (the old one retires). Returns the pool's state (null: no pool).
 */
export async function takeLease(owner: Owner, worstCase: Decimal): Promise<{ state: PoolState; poolId: string } | null> {
  const entry = poolOf(owner);
  // Requests arriving together wait for one statement instead of each taking a lease.
  while (entry.taking) await entry.taking.catch(() => undefined);
  if (entry.current && !entry.current.retiring && !entry.current.gone && entry.current.available.greaterThanOrEqualTo(worstCase)) {
    return { state: 'LIMITED', poolId: entry.current.poolId };
  }
  const byRate = new Decimal(entry.rate.toFixed(12)).times(LEASE_SECONDS);
  const byRequests = worstCase.times(MIN_REQUESTS);
  const target = byRate.greaterThan(byRequests) ? byRate : byRequests;
  const id = uuidv7();
  const work = database().hot.query<{ id: string; state: PoolState; leased: string | null }>(TAKE_LEASE, [
    owner.clientId ?? null,
    owner.userId ?? null,
    target.toFixed(12),
    worstCase.times(2).toFixed(12),
    id,
    INSTANCE_ID,
  ]);
  entry.taking = work;
  let rows;
  try {
    rows = await work;
  } finally {
    entry.taking = null;
  }
  const [row] = rows;
  if (!row) {
    entry.state = null;
    return null;
  }
  entry.poolId = row.id;
  entry.state = row.state;
  if (row.leased !== null) {
    if (entry.current) retire(entry, entry.current);
    const amount = exact(row.leased);
    entry.current = {
      id,
      key: ownerKey(owner),
      poolId: row.id,
      available: amount,
      open: 0,
      lastUsedAt: Date.now(),
      retiring: false,
      gone: false,
    };
  }
  return { state: row.state, poolId: row.id };
}

/** Stops admitting against `lease` and gives it back once its open requests are settled. */
function retire(entry: OwnerPool, lease: Lease) {
  lease.retiring = true;
  if (entry.current === lease) entry.current = null;
  entry.retiring.add(lease);
  if (lease.open === 0) void giveBack(entry, lease);
}

async function giveBack(entry: OwnerPool, lease: Lease): Promise<void> {
  entry.retiring.delete(lease);
  if (entry.current === lease) entry.current = null;
  if (lease.gone) return;
  lease.gone = true;
  try {
    await database().hot.query(RETURN_LEASE, [lease.id]);
  } catch {
    // Unreachable now: the row stays, untouched from here on, and a sweeper gives it back later.
  }
}

/**
 * Gives back the owner's lease whose remainder is too small for `worstCase`, so that a
 * per-request reservation can use it; resolves once it is back (or at once when requests
 * are still open against it: their settlements will return it).
 */
export async function returnSmallLease(owner: Owner): Promise<void> {
  const entry = pools.get(ownerKey(owner));
  const lease = entry?.current;
  if (!entry || !lease) return;
  lease.retiring = true;
  entry.current = null;
  if (lease.open === 0) await giveBack(entry, lease);
  else entry.retiring.add(lease);
}

/** A request admitted against `lease` was settled for `coins` (queued for commit): the rest is available again. */
export function settledOnLease(lease: Lease, reserved: Decimal, coins: Decimal): void {
  lease.available = lease.available.plus(reserved.minus(coins));
}

/** A request admitted against `lease` was never forwarded: all of its reservation is available again. */
export function releasedOnLease(lease: Lease, reserved: Decimal): void {
  lease.available = lease.available.plus(reserved);
  closedOnLease(lease);
}

/** A settlement against `lease` committed (or failed for good); `gone`: the lease row was missing. */
export function closedOnLease(lease: Lease, gone = false): void {
  lease.open = Math.max(0, lease.open - 1);
  const entry = pools.get(lease.key);
  if (gone && !lease.gone) {
    lease.gone = true;
    if (entry) retire(entry, lease);
  }
  if (entry && lease.retiring && lease.open === 0) void giveBack(entry, lease);
}

/** Every lease this process holds (for the sweeper's touch and for tests). */
export function heldLeases(): Lease[] {
  const all: Lease[] = [];
  for (const entry of pools.values()) {
    if (entry.current) all.push(entry.current);
    all.push(...entry.retiring);
  }
  return all.filter((lease) => !lease.gone);
}

const TOUCH_LEASES = {
  name: 'lumen_touch_leases',
  text: `UPDATE "CoinLease" SET "touchedAt" = now()
          WHERE "id" IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) RETURNING "id"`,
};

/**
 * The sweeper's turn: marks this process's leases as alive, forgets those whose row is gone
 * (an admin changed the pool, or another instance took us for dead), and gives back idle ones.
 */
export async function upkeepLeases(now = Date.now()): Promise<void> {
  for (const entry of pools.values()) {
    const lease = entry.current;
    if (lease && lease.open === 0 && now - lease.lastUsedAt >= LEASE_IDLE_MS) retire(entry, lease);
  }
  await checkLeaseRows(TOUCH_LEASES);
}

const FIND_LEASES = {
  name: 'lumen_find_leases',
  text: `SELECT "id" FROM "CoinLease" WHERE "id" IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
};

async function checkLeaseRows(statement: typeof TOUCH_LEASES) {
  const held = heldLeases();
  if (held.length === 0) return;
  const rows = await database().hot.query<{ id: string }>(statement, [JSON.stringify(held.map((l) => l.id))]);
  const present = new Set(rows.map((r) => r.id));
  for (const lease of held) if (!present.has(lease.id)) forgetLease(lease);
}

function forgetLease(lease: Lease) {
  lease.gone = true;
  for (const entry of pools.values()) {
    if (entry.current === lease) entry.current = null;
    if (lease.open === 0) entry.retiring.delete(lease);
  }
}

/**
 * Something may have changed pools (an admin set one; the bus says so on every instance):
 * forget what was known of their states and drop leases whose rows were deleted with it.
 */
export async function recheckPools(): Promise<void> {
  for (const entry of pools.values()) if (entry.state !== 'LIMITED' || !entry.current) entry.state = null;
  await checkLeaseRows(FIND_LEASES);
}

/** Another instance needs this pool's coins: give back our lease of it as soon as its requests are settled. */
export function recallLease(poolId: string): void {
  for (const entry of pools.values()) {
    if (entry.poolId === poolId && entry.current) retire(entry, entry.current);
  }
}

/** At shutdown: gives back every lease with nothing open (the rest are reclaimed by a sweeper later). */
export async function returnAllLeases(): Promise<void> {
  const work: Promise<void>[] = [];
  for (const entry of pools.values()) {
    if (entry.current) retire(entry, entry.current);
    for (const lease of entry.retiring) if (lease.open === 0) work.push(giveBack(entry, lease));
  }
  await Promise.all(work);
}

/** Forgets everything (tests that reopen the database in one process). */
export function resetLeases(): void {
  pools.clear();
}
