// The counting behind /v1's rate limits (domain/rateLimits.ts has the rules). Each limited
// scope (a key, a client, a user's personal keys) has a one-minute window, aligned on the
// clock, with two counts: requests, and tokens (a request's worst case when admitted,
// corrected to its actual tokens when settled).
//
// Without Redis an instance counts alone: it holds the whole limit of every window. With
// Redis, instances share each window the way coins are leased (domain/leases.ts): an
// instance borrows capacity from a counter per window in Redis in slices (one script: take
// up to the slice, never past the limit nor more than half of what is left) and admits
// requests against its slices in memory, so a request costs no round trip until its
// instance's slice runs out. A slice doubles each time one is used up (1, 2, 4, ... up to
// an eighth of the limit), so a busy instance asks Redis a dozen times a window and a quiet
// one holds little; what an idle instance holds unused goes back to Redis after a second.
//
// The worst-case error (README, "Rate limits"): with N instances and S the largest slice,
// at most the limit of requests is admitted per window, and a request is refused only once
// at least limit - (N-1)·S were admitted (the rest may sit unused in other instances'
// slices, until they give it back). Tokens are admitted while below the limit, so each
// instance may pass its slices by one request's worst case: at most limit + N·W tokens are
// counted (W, the largest worst case), and a request is refused only once at least
// limit - (N-1)·(S+W) were. While Redis is unreachable each instance holds the
// whole limit of the windows it starts, as without Redis: N instances admit up to N times
// the limit.
import type { Redis } from 'ioredis';
import { closeRedisClient, connectOrCarryOn, redisClient } from '../events/redis.ts';

export type Dimension = 'requests' | 'tokens';

/** One level of limits a request must pass: a scope and its limits per window (null: none). */
export interface LimitedScope {
  /** Unique across kinds, such as `key:<id>` or `client:<id>`. */
  scope: string;
  requests: number | null;
  tokens: number | null;
}

interface Count {
  /** Counted by this instance in the window. */
  used: number;
  /** The slices this instance took from the window's Redis counter: it admits below them (counting alone, below the limit). */
  held: number;
  /** What it counted beyond its slices and added to the Redis counter once the window was spent (it never admits against it). */
  overdrawn: number;
  /** Counted by the other instances, as of this instance's last exchange with Redis. */
  others: number;
  /** The next slice to ask for. */
  slice: number;
  /** One exchange with Redis at a time per count; the others wait for it. */
  asking: Promise<unknown> | null;
}

interface Window {
  scope: string;
  index: number;
  /** Sharing through Redis; false: counting alone (no Redis, or Redis was unreachable when it started). */
  shared: boolean;
  requests: Count;
  tokens: Count;
  lastUsedAt: number;
}

let windowMs = 60_000;
let clock: () => number = Date.now;
/** What an idle instance holds unused goes back to Redis after this long. */
const IDLE_MS = 1000;
const MAX_SLICE_FRACTION = 8;

const windows = new Map<string, Window>();
let redis: Redis | null = null;
let upkeep: NodeJS.Timeout | null = null;

/**
 * For tests: the window's length and the clock it is read from. Windows counted so far are
 * forgotten. Without arguments, back to one-minute windows on the real clock.
 */
export function configureRateWindows(options: { windowMs?: number; now?: () => number } = {}): void {
  windowMs = options.windowMs ?? 60_000;
  clock = options.now ?? Date.now;
  windows.clear();
}

/** The length of a window, in ms (a minute, unless a test said otherwise). */
export function rateWindowMs(): number {
  return windowMs;
}

// Takes up to ARGV[1] from the counter (after adding this instance's overdraft, ARGV[3]), never
// past the limit ARGV[2] nor more than half of what is left (so several instances share the
// last of it); the counter expires after the window. Returns the total and what was taken.
const BORROW = `
local total = redis.call('INCRBY', KEYS[1], ARGV[3])
local left = tonumber(ARGV[2]) - total
local take = 0
if left > 0 then
  take = math.min(tonumber(ARGV[1]), math.max(1, math.ceil(left / 2)))
  total = redis.call('INCRBY', KEYS[1], take)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {total, take}`;

// Gives back ARGV[1] to a counter that still exists (an expired window needs nothing back).
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 0`;

/** Shares the windows through Redis at `url` (at start with REDIS_URL; starts even if Redis is down now). */
export async function shareRateWindows(url: string): Promise<void> {
  const client = await redisClient(url, { name: 'rate windows', failFast: true });
  redis = client;
  await connectOrCarryOn(client);
}

/** Back to counting alone; closes the Redis connection (shutdown, tests). */
export async function stopSharingRateWindows(): Promise<void> {
  const client = redis;
  redis = null;
  windows.clear();
  if (client) await closeRedisClient(client);
}

const redisReady = () => redis !== null && redis.status === 'ready';
const counterKey = (w: { scope: string; index: number }, dimension: Dimension) =>
  `lumen:v1rl:${windowMs}:${w.index}:${w.scope}:${dimension === 'requests' ? 'r' : 't'}`;

const newCount = (): Count => ({ used: 0, held: 0, overdrawn: 0, others: 0, slice: 1, asking: null });

function windowOf(scope: LimitedScope, now: number): Window {
  const index = Math.floor(now / windowMs);
  let w = windows.get(scope.scope);
  if (!w || w.index !== index) {
    w = { scope: scope.scope, index, shared: redisReady(), requests: newCount(), tokens: newCount(), lastUsedAt: now };
    windows.set(scope.scope, w);
    startUpkeep();
  }
  return w;
}

function limitOf(scope: LimitedScope, dimension: Dimension): number | null {
  return scope[dimension];
}

/** The largest slice of a window an instance borrows at once (S in the README's bound). */
export const maxSlice = (limit: number) => Math.max(1, Math.ceil(limit / MAX_SLICE_FRACTION));

/** Whether a count has room for one more request: requests need a whole one, tokens anything left (then count the worst case). */
function hasRoom(w: Window, dimension: Dimension, limit: number): boolean {
  const count = w[dimension];
  const held = w.shared ? count.held : limit;
  return dimension === 'requests' ? count.used + 1 <= held : count.used < held;
}

/**
 * Asks Redis for a slice of the window's count; false when the window has none left. Redis
 * unreachable: the window counts alone from now on (the instance holds the whole limit).
 */
async function borrow(w: Window, dimension: Dimension, limit: number, atLeast: number): Promise<boolean> {
  const count = w[dimension];
  if (count.asking) {
    await count.asking.catch(() => undefined);
    return true; // look again: what it brought may be enough
  }
  const client = redis;
  if (!client || client.status !== 'ready') {
    w.shared = false;
    return true;
  }
  const overdraft = Math.max(0, count.used - count.held - count.overdrawn);
  const want = Math.min(Math.max(atLeast, count.slice), maxSlice(limit));
  const asking = client.eval(BORROW, 1, counterKey(w, dimension), want, limit, overdraft, 2 * windowMs) as Promise<[number, number]>;
  count.asking = asking;
  try {
    const [total, taken] = await asking;
    // What it counted beyond its slices is now in the counter: with a new slice, part of what it
    // holds; without one (the window is spent), only there, so that it never admits against it.
    if (taken > 0) count.held += overdraft + taken;
    else count.overdrawn += overdraft;
    count.others = Math.max(0, total - count.held - count.overdrawn);
    if (taken >= count.slice) count.slice = Math.min(count.slice * 2, maxSlice(limit));
    return taken > 0;
  } catch {
    w.shared = false;
    return true;
  } finally {
    count.asking = null;
  }
}

export interface RateRefusal {
  scope: LimitedScope;
  dimension: Dimension;
  limit: number;
  /** When the window ends, in ms from now. */
  resetMs: number;
}

/** A request counted in its scopes' windows: correct its tokens at settlement, or release it if it was never forwarded. */
export interface RateAdmission {
  /** The actual tokens (input + output) replace the worst case counted at admission. */
  settle(actualTokens: number): void;
  /** Not forwarded after all (refused for coins, say): neither the request nor its tokens count. */
  release(): void;
}

const NOTHING: RateAdmission = { settle: () => undefined, release: () => undefined };

/**
 * Counts a request with `worstTokens` in every scope's window if each has room (requests below
 * the limit, tokens below the limit), or tells which limit refuses it. Answers at once (no
 * promise) while this instance's slices have room, which is nearly always; a Redis round trip
 * only when a slice of a window runs out.
 */
export function admit(
  scopes: readonly LimitedScope[],
  worstTokens: number,
): RateAdmission | RateRefusal | Promise<RateAdmission | RateRefusal> {
  if (scopes.length === 0) return NOTHING;
  const now = clock();
  const short = shortOf(scopes, now);
  return short ? admitAfterBorrowing(scopes, worstTokens, short, now) : count(scopes, now, worstTokens);
}

interface Short {
  scope: LimitedScope;
  w: Window;
  dimension: Dimension;
  limit: number;
}

/** The first of the scopes' counts without room for the request, or null when all have room. */
function shortOf(scopes: readonly LimitedScope[], now: number): Short | null {
  for (const scope of scopes) {
    const w = windowOf(scope, now);
    for (const dimension of DIMENSIONS) {
      const limit = limitOf(scope, dimension);
      if (limit !== null && !hasRoom(w, dimension, limit)) return { scope, w, dimension, limit };
    }
  }
  return null;
}

async function admitAfterBorrowing(
  scopes: readonly LimitedScope[],
  worstTokens: number,
  first: Short,
  firstNow: number,
): Promise<RateAdmission | RateRefusal> {
  // Ends: each turn admits, refuses, waits for another request's exchange with Redis, or takes
  // part of the window's remaining count from Redis (which runs out), and Redis unreachable means counting alone.
  let short: Short | null = first;
  let now = firstNow;
  for (;;) {
    if (!short) return count(scopes, now, worstTokens);
    const refusal = { scope: short.scope, dimension: short.dimension, limit: short.limit, resetMs: resetMs(now) };
    // Counting alone, the window is full; shared, ask Redis for more (and look again: others may take it first).
    if (!short.w.shared) return refusal;
    // A token slice starts at the request's worst case (capped at the largest slice): one round trip, not one per doubling.
    const atLeast = short.dimension === 'tokens' ? worstTokens : 1;
    if (!(await borrow(short.w, short.dimension, short.limit, atLeast))) return refusal;
    now = clock();
    short = shortOf(scopes, now);
  }
}

const DIMENSIONS = ['requests', 'tokens'] as const;

function count(scopes: readonly LimitedScope[], now: number, worstTokens: number): RateAdmission {
  const counted = scopes.map((scope) => {
    const w = windowOf(scope, now);
    w.requests.used += 1;
    w.tokens.used += worstTokens;
    w.lastUsedAt = now;
    return w;
  });
  let open = true;
  const close = (requests: number, tokens: number) => {
    if (!open) return;
    open = false;
    for (const w of counted) {
      // A request settled in a later window leaves its worst case in the one it was admitted in (which has ended).
      if (windows.get(w.scope) !== w) continue;
      w.requests.used = Math.max(0, w.requests.used - requests);
      w.tokens.used = Math.max(0, w.tokens.used - tokens);
    }
  };
  return {
    settle: (actualTokens) => close(0, worstTokens - actualTokens),
    release: () => close(1, worstTokens),
  };
}

export function isRefusal(result: RateAdmission | RateRefusal): result is RateRefusal {
  return 'dimension' in result;
}

function resetMs(now: number): number {
  return (Math.floor(now / windowMs) + 1) * windowMs - now;
}

/** The scope's window if it is the one running at `now` (an ended one counts for nothing). */
function runningWindow(scope: string, now: number): Window | null {
  const w = windows.get(scope);
  return w && w.index === Math.floor(now / windowMs) ? w : null;
}

/** Where a scope's current window stands, as this instance knows it (no Redis round trip). */
export function windowState(scope: string): { requests: number; tokens: number; resetMs: number } {
  const now = clock();
  const current = runningWindow(scope, now);
  const counted = (count: Count | undefined) => (count ? count.others + count.used : 0);
  return { requests: counted(current?.requests), tokens: counted(current?.tokens), resetMs: resetMs(now) };
}

/**
 * A scope's current use, as Redis knows it when shared (what every instance counted, less the
 * unused part of this instance's slices; other instances' unused slices count as used), or as
 * this instance knows it. For the admin pages, not the hot path.
 */
export async function currentUse(scope: string): Promise<{ requests: number; tokens: number; resetsAt: Date }> {
  const now = clock();
  const known = windowState(scope);
  const resetsAt = new Date(now + known.resetMs);
  const current = runningWindow(scope, now);
  const client = redis;
  if (!client || client.status !== 'ready' || (current && !current.shared)) {
    return { requests: known.requests, tokens: known.tokens, resetsAt };
  }
  const at = { scope, index: Math.floor(now / windowMs) };
  try {
    const [requests, tokens] = await client.mget(counterKey(at, 'requests'), counterKey(at, 'tokens'));
    const unused = (count: Count | undefined) => (count ? Math.max(0, count.held - count.used) : 0);
    return {
      requests: Math.max(0, Number(requests ?? 0) - unused(current?.requests)),
      tokens: Math.max(0, Number(tokens ?? 0) - unused(current?.tokens)),
      resetsAt,
    };
  } catch {
    return { requests: known.requests, tokens: known.tokens, resetsAt };
  }
}

/** Ended windows are forgotten; what an idle instance holds unused of a shared one goes back to Redis. */
async function tidy(): Promise<void> {
  const now = clock();
  const index = Math.floor(now / windowMs);
  for (const [scope, w] of windows) {
    if (w.index !== index) {
      windows.delete(scope);
      continue;
    }
    if (!w.shared || now - w.lastUsedAt < IDLE_MS || !redisReady()) continue;
    for (const dimension of ['requests', 'tokens'] as const) {
      const count = w[dimension];
      const unused = count.held - count.used;
      if (unused <= 0 || count.asking) continue;
      count.held -= unused;
      count.slice = 1;
      const giving = redis!.eval(GIVE_BACK, 1, counterKey(w, dimension), unused);
      count.asking = giving;
      await giving.catch(() => undefined);
      count.asking = null;
    }
  }
  if (windows.size === 0) stopUpkeep();
}

function startUpkeep() {
  if (upkeep) return;
  upkeep = setInterval(() => void tidy(), IDLE_MS);
  upkeep.unref();
}

function stopUpkeep() {
  if (upkeep) clearInterval(upkeep);
  upkeep = null;
}
