// Lumen's Redis connections (the bus's publisher and subscriber, the rate limiter's
// client), configured so that an outage degrades Lumen instead of ending it:
// ioredis reconnects forever with a capped backoff, a command that must not wait
// (a publish, a rate-limit check) fails at once while disconnected instead of
// queueing, the subscriber's commands wait for the connection and it subscribes
// again by itself, and every client has an error listener (without one, ioredis's
// "error" event would end the process). One warning per outage, not one per retry.
import type { Redis, RedisOptions } from 'ioredis';
import { log } from '../log.ts';

/** The longest wait between two reconnection attempts. */
const MAX_BACKOFF_MS = 1000;

const clients = new Set<Redis>();
/** One warning per outage, whichever connection notices first, not one per retry. */
let outageLogged = false;
let downSince: number | null = null;
let degradedMs = 0;

export interface RedisClientOptions {
  /** What the connection is for, in logs. */
  name: string;
  /**
   * Commands fail at once while disconnected (no offline queue, no retry of a command
   * cut off by the outage): for publishes and rate-limit checks, which have a fallback.
   * Otherwise commands wait for the connection (the subscriber's SUBSCRIBE/UNSUBSCRIBE).
   */
  failFast: boolean;
}

/** A connection to `url` (not yet connected: call connect()), counted in redisStatus(). */
export async function redisClient(url: string, { name, failFast }: RedisClientOptions): Promise<Redis> {
  // Loaded only with REDIS_URL: an instance without Redis keeps the memory.
  const { Redis } = await import('ioredis');
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: `lumen-${name}`,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_BACKOFF_MS),
    autoResubscribe: true,
    ...(failFast
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000 }
      : // null: a command waits for the reconnection instead of failing with MaxRetriesPerRequestError.
        { enableOfflineQueue: true, maxRetriesPerRequest: null }),
  };
  const client = new Redis(url, options);
  client.on('error', (error: Error) => {
    if (outageLogged) return;
    outageLogged = true;
    // The message names the host and the cause (ECONNREFUSED…), never the URL's password.
    log.warn(
      { redis: name, reason: error.message },
      'Redis is unreachable; Lumen carries on without it (events stay on this instance, invalidations polled from PostgreSQL, rate limits per instance) and reconnects by itself',
    );
  });
  client.on('ready', () => {
    noteState();
    if (outageLogged && redisStatus() === 'ok') {
      outageLogged = false;
      log.info('Redis is reachable again');
    }
  });
  client.on('close', noteState);
  client.on('end', noteState);
  clients.add(client);
  noteState();
  return client;
}

/** Connects, or leaves the client reconnecting in the background if Redis is down now (Lumen starts degraded). */
export async function connectOrCarryOn(client: Redis): Promise<void> {
  try {
    await client.connect();
  } catch {
    // The error listener has said so; retryStrategy keeps trying.
  }
}

/** Closes a client and forgets it. */
export async function closeRedisClient(client: Redis): Promise<void> {
  clients.delete(client);
  if (clients.size === 0) outageLogged = false;
  noteState();
  if (client.status === 'end') return;
  // QUIT would wait in the offline queue for a Redis that is down: then just drop the connection attempts.
  if (client.status !== 'ready') return client.disconnect();
  await client.quit().catch(() => client.disconnect());
}

/** Redis as this instance sees it: 'off' without REDIS_URL, 'down' while any connection is not ready. */
export function redisStatus(): 'ok' | 'down' | 'off' {
  if (clients.size === 0) return 'off';
  for (const client of clients) if (client.status !== 'ready') return 'down';
  return 'ok';
}

/** Seconds this process has spent with Redis configured but not reachable (for the metric). */
export function redisDegradedSeconds(): number {
  return (degradedMs + (downSince === null ? 0 : Date.now() - downSince)) / 1000;
}

function noteState(): void {
  const down = redisStatus() === 'down';
  if (down && downSince === null) downSince = Date.now();
  if (!down && downSince !== null) {
    degradedMs += Date.now() - downSince;
    downSince = null;
  }
}
