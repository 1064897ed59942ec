// Rate limits on sign-in and key creation (rate-limiter-flexible): in memory per
// process, or shared in Redis when several instances run.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
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
 * The address a request came from, for per-address limits: the socket's peer, or
 * with LUMEN_TRUST_PROXY=true (behind a reverse proxy) the first X-Forwarded-For entry.
 */
export function clientAddress(request: Request, serverContext: unknown): string {
  if (process.env.LUMEN_TRUST_PROXY === 'true') {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress ?? 'local';
}
