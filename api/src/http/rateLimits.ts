// Rate limits on sign-in and key creation (rate-limiter-flexible): in memory per
// process, or shared in Redis when several instances run.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { config } from '../config.ts';
import { RATE_LIMITS } from './limits.ts';

type Bucket = keyof typeof RATE_LIMITS;

let limiters: Record<Bucket, RateLimiterAbstract> = memoryLimiters();

function memoryLimiters(): Record<Bucket, RateLimiterAbstract> {
  return {
    signIn: new RateLimiterMemory({ keyPrefix: 'signin', ...RATE_LIMITS.signIn }),
    keyCreation: new RateLimiterMemory({ keyPrefix: 'keys', ...RATE_LIMITS.keyCreation }),
  };
}

export function useRedisRateLimits(redis: Redis): void {
  limiters = {
    signIn: new RateLimiterRedis({ storeClient: redis, keyPrefix: 'lumen:rl:signin', ...RATE_LIMITS.signIn }),
    keyCreation: new RateLimiterRedis({ storeClient: redis, keyPrefix: 'lumen:rl:keys', ...RATE_LIMITS.keyCreation }),
  };
}

export function resetRateLimits(): void {
  limiters = memoryLimiters();
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
  const entries = (forwardedFor ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (trustedProxies > 0 && entries.length >= trustedProxies) return entries[entries.length - trustedProxies];
  return peer ?? 'local';
}

/** addressOf for a Yoga request (serverContext carries Node's request and its socket). */
export function clientAddress(request: Request, serverContext: unknown): string {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return addressOf(request.headers.get('x-forwarded-for'), req?.socket?.remoteAddress, config().trustProxy);
}
