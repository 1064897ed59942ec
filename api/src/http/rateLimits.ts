// Rate limits on sign-in and key creation (rate-limiter-flexible): in memory per
// process, or shared in Redis when several instances run. While Redis is down, both
// fall back to this process's memory (the library's insuranceLimiter): each limit
// then holds per instance, so N instances allow at most N times the limit, and
// nobody is locked out of signing in or creating a key by an outage (README,
// "Security and limits").
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { config } from '../config.ts';
import { closeRedisClient, connectOrCarryOn, redisClient } from '../events/redis.ts';
import { RATE_LIMITS } from './limits.ts';

type Bucket = keyof typeof RATE_LIMITS;

let limiters: Record<Bucket, RateLimiterAbstract> = memoryLimiters();
let redis: Redis | null = null;

function memoryLimiters(): Record<Bucket, RateLimiterMemory> {
  return {
    signIn: new RateLimiterMemory({ keyPrefix: 'signin', ...RATE_LIMITS.signIn }),
    keyCreation: new RateLimiterMemory({ keyPrefix: 'keys', ...RATE_LIMITS.keyCreation }),
  };
}

/** Shares the limits through Redis at `url` (at start when REDIS_URL is set; starts even if Redis is down now). */
export async function useRedisRateLimits(url: string): Promise<void> {
  const client = await redisClient(url, { name: 'rate limits', failFast: true });
  const insurance = memoryLimiters();
  // rejectIfRedisNotReady: while disconnected, go to the insurance limiter at once instead of trying Redis.
  const shared = { storeClient: client, rejectIfRedisNotReady: true };
  limiters = {
    signIn: new RateLimiterRedis({ ...shared, keyPrefix: 'lumen:rl:signin', ...RATE_LIMITS.signIn, insuranceLimiter: insurance.signIn }),
    keyCreation: new RateLimiterRedis({
      ...shared,
      keyPrefix: 'lumen:rl:keys',
      ...RATE_LIMITS.keyCreation,
      insuranceLimiter: insurance.keyCreation,
    }),
  };
  redis = client;
  await connectOrCarryOn(client);
}

/** Back to fresh limits in memory (tests; at shutdown through stopRedisRateLimits). */
export function resetRateLimits(): void {
  limiters = memoryLimiters();
}

/** Closes the Redis connection, if any; limits go back to memory. */
export async function stopRedisRateLimits(): Promise<void> {
  resetRateLimits();
  const client = redis;
  redis = null;
  if (client) await closeRedisClient(client);
}

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts; try again in ${retryAfterSeconds} seconds`);
  }
}

/** Counts one attempt; throws RateLimitedError when the bucket is empty. */
export async function consume(bucket: Bucket, key: string): Promise<void> {
  try {
    await limiters[bucket].consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
    throw error;
  }
}

/**
 * The address a request came from, for per-address limits. Each of the
 * `trustedProxies` reverse proxies in front of Lumen (LUMEN_TRUST_PROXY) appends
 * the address it was connected from to X-Forwarded-For; anything further left was
 * written by the client and proves nothing. So the client is the n-th entry from
 * the right. A header with fewer entries did not pass through all the proxies:
 * then the socket's peer counts, which nobody can choose.
 */
export function addressOf(forwardedFor: string | null | undefined, peer: string | undefined, trustedProxies: number): string {
  const entries = (forwardedFor ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (trustedProxies > 0 && entries.length >= trustedProxies) return entries[entries.length - trustedProxies];
  return peer ?? 'local';
}

/** addressOf for a Yoga request (serverContext carries Node's request and its socket). */
export function clientAddress(request: Request, serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return addressOf(request.headers.get('x-forwarded-for'), req?.socket?.remoteAddress, config().trustProxy);
}
