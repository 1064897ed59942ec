// The three faults, each injected under the running load. Each returns its window
// (see windows.ts) and what it measured on the way; the checks come afterwards.
import type { Fleet } from './fleet.ts';
import type { Sent } from './load.ts';
import type { Cluster } from './postgres.ts';
import {
  limitedKey,
  measureRevocation,
  probeRateLimit,
  probeV1RateLimit,
  type RevocationResult,
  type V1RateLimitResult,
} from './probes.ts';
import type { RedisServer } from './redis.ts';
import type { Key } from './seed.ts';
import type { Window } from './windows.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type FaultName = 'redis' | 'postgres' | 'kill';

export interface FaultRun {
  name: FaultName;
  title: string;
  window: Window;
  /** How long the fault itself lasted, in seconds (from injection to over). */
  faultSeconds: number;
  /** The incarnation the fault killed on purpose (SIGKILL), whose requests are not a survivor's. */
  killed?: string;
  revocation?: RevocationResult;
  rateLimit?: string;
  v1RateLimit?: V1RateLimitResult;
  notes: string[];
}

export interface FaultContext {
  fleet: Fleet;
  redis: RedisServer;
  cluster: Cluster;
  adminToken: string;
  clientId: string;
  probeKey: Key;
  log: Sent[];
  graceMs: number;
  redisDownMs: number;
  revocationBoundSeconds: number;
}

/** The requests a minute of the key whose /v1 rate limit is probed while Redis is down. */
const V1_RATE_LIMIT = 5;

/** Redis SIGKILLed (no goodbye to its clients), down a few seconds, restarted empty on the same port. */
async function redisFault(c: FaultContext): Promise<FaultRun> {
  const limited = await limitedKey(c.fleet, c.adminToken, c.clientId, V1_RATE_LIMIT);
  const from = Date.now();
  let backAt: number | null = null;
  await c.redis.kill();
  // The probes run while Redis is down, once the instances noticed (a second is plenty: the socket is
  // reset at once); the revocation probe may outlast the outage, up to its bound.
  const probes = sleep(1000).then(() =>
    Promise.all([
      measureRevocation(c.fleet, c.adminToken, c.probeKey, c.log, c.revocationBoundSeconds, () => backAt),
      probeRateLimit(c.fleet, c.adminToken, c.clientId),
      probeV1RateLimit(c.fleet, limited, V1_RATE_LIMIT, c.log),
    ]),
  );
  await sleep(c.redisDownMs);
  backAt = Date.now();
  await c.redis.start();
  const over = Date.now();
  const [revocation, rateLimit, v1RateLimit] = await probes;
  await sleep(Math.max(0, over + c.graceMs - Date.now()));
  return {
    name: 'redis',
    title: `Redis SIGKILLed, restarted after ${c.redisDownMs / 1000} s`,
    window: { from, over, to: over + c.graceMs },
    faultSeconds: (over - from) / 1000,
    revocation,
    rateLimit,
    v1RateLimit,
    notes: [],
  };
}

/** `pg_ctl restart -m fast`: every connection is cut, the server is down until it has restarted. */
async function postgresFault(c: FaultContext): Promise<FaultRun> {
  const from = Date.now();
  await c.cluster.restart();
  const over = Date.now();
  await sleep(c.graceMs);
  return {
    name: 'postgres',
    title: 'PostgreSQL restarted (`pg_ctl restart -m fast`)',
    window: { from, over, to: over + c.graceMs },
    faultSeconds: (over - from) / 1000,
    notes: [`pg_ctl restart took ${((over - from) / 1000).toFixed(1)} s`],
  };
}

/** Instance B SIGKILLed mid-load; A serves alone; B is then started again and rejoins. */
async function killFault(c: FaultContext): Promise<FaultRun> {
  const victim = c.fleet.get('B');
  const from = Date.now();
  await c.fleet.kill('B');
  const over = Date.now();
  await sleep(c.graceMs);
  const restartedAt = Date.now();
  const again = await c.fleet.start('B');
  return {
    name: 'kill',
    title: `Instance B SIGKILLed (${victim.id}), then started again`,
    window: { from, over, to: over + c.graceMs },
    faultSeconds: (over - from) / 1000,
    killed: victim.id,
    notes: [`${again.id} was listening ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after its start and rejoined the rotation`],
  };
}

export const FAULTS: Record<FaultName, (c: FaultContext) => Promise<FaultRun>> = {
  redis: redisFault,
  postgres: postgresFault,
  kill: killFault,
};
