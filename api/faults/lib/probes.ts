// What a Redis outage costs beyond availability, measured while Redis is down:
// how long a key revoked on one instance stays usable on another that had it
// cached (revocations travel through the bus), whether a Redis-backed rate
// limit (key creation) lets requests through (fail-open) or refuses them, and
// whether /v1's rate limits fall back to each instance counting alone.
// (While Redis is up, revocations travel through it; the unit tests cover that.)
import type { Fleet } from './fleet.ts';
import { send, type Sent } from './load.ts';
import { graphql } from '../../test/gql/index.ts';
import { createKey, gqlAt, type Key } from './seed.ts';

export interface RevocationResult {
  /** Seconds from the revocation's answer to the first refusal on the other instance; null: never within the bound. */
  seconds: number | null;
  boundSeconds: number;
  /** Refused only after Redis was back: the outage's fallback was not what refused it. */
  afterRedisBack: boolean;
  detail: string;
}

/** Uses the key on every instance, so each has it cached before the revocation. */
export async function warmKey(fleet: Fleet, key: Key, log: Sent[]): Promise<void> {
  for (const instance of fleet.live()) log.push(await send(instance, key, 'probe', 0));
}

/** `redisBackAt()`: when Redis was started again (null while it is still down). */
export async function measureRevocation(
  fleet: Fleet,
  adminToken: string,
  key: Key,
  log: Sent[],
  boundSeconds: number,
  redisBackAt: () => number | null,
): Promise<RevocationResult> {
  const [on, other] = ['A', 'B'].map((name) => fleet.get(name));
  if (on.diedAt !== null || other.diedAt !== null)
    return {
      seconds: null,
      boundSeconds,
      afterRedisBack: false,
      detail: `not measured: ${on.diedAt !== null ? on.id : other.id} is not running`,
    };
  // Used on both again now that Redis is down: an instance may drop its cache when it loses Redis, and
  // what is measured is how long a key cached while Redis is down stays usable after its revocation.
  await warmKey(fleet, key, log);
  try {
    await gqlAt(
      on.url,
      adminToken,
      graphql(`
        mutation FaultProbe_RevokeKey($id: ID!) {
          revokeApiKey(input: { id: $id }) {
            apiKey {
              active
            }
          }
        }
      `),
      { id: key.id },
      5000,
    );
  } catch (error) {
    return {
      seconds: null,
      boundSeconds,
      afterRedisBack: false,
      detail: `revoking on ${on.id} failed: ${(error as Error).message.slice(0, 160)}`,
    };
  }
  const revokedAt = Date.now();
  let n = 0;
  while (Date.now() - revokedAt < boundSeconds * 1000) {
    if (other.diedAt !== null)
      return { seconds: null, boundSeconds, afterRedisBack: false, detail: `${other.id} died while the probe ran` };
    const sent = await send(other, key, 'probe', n++);
    log.push(sent);
    if (sent.status === 401) {
      const seconds = (sent.end - revokedAt) / 1000;
      const back = redisBackAt();
      const afterRedisBack = back !== null && back < sent.start;
      return {
        seconds,
        boundSeconds,
        afterRedisBack,
        detail: `revoked on ${on.id} while Redis was down; refused on ${other.id} (401 ${sent.error}) after ${seconds.toFixed(1)} s${afterRedisBack ? ', but only once Redis was back' : ', Redis still down'} (${n - 1} requests still served in between)`,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    seconds: null,
    boundSeconds,
    afterRedisBack: false,
    detail: `revoked on ${on.id}; ${other.id} still served it after ${boundSeconds} s (${n} requests)`,
  };
}

/** One key creation (rate-limited through Redis) while Redis is down. */
export async function probeRateLimit(fleet: Fleet, adminToken: string, clientId: string): Promise<string> {
  const on = fleet.live()[0];
  if (!on) return 'not measured: no instance running';
  const started = Date.now();
  try {
    await createKey(on.url, adminToken, clientId, 'created while Redis was down');
    return `a key creation (rate-limited per user) was allowed on ${on.id} in ${Date.now() - started} ms: fail-open`;
  } catch (error) {
    return `a key creation (rate-limited per user) on ${on.id} failed after ${Date.now() - started} ms: ${(error as Error).message.slice(0, 160)}`;
  }
}

export interface V1RateLimitResult {
  limit: number;
  /** Per instance: answered requests by status, and the most admitted in one minute window. */
  instances: { id: string; statuses: Record<number, number>; mostAdmittedInAWindow: number; refusalsWithRetryAfter: number }[];
  detail: string;
}

/** A key limited to `limit` requests a minute (set while Redis is up); its probe runs while Redis is down. */
export async function limitedKey(fleet: Fleet, adminToken: string, clientId: string, limit: number): Promise<Key> {
  const on = fleet.live()[0];
  const key = await createKey(on.url, adminToken, clientId, 'rate-limited probe');
  await gqlAt(
    on.url,
    adminToken,
    graphql(`
      mutation FaultProbe_LimitKey($id: ID!, $rpm: Int) {
        setApiKeyRateLimits(input: { apiKeyId: $id, requestsPerMinute: $rpm }) {
          apiKey {
            id
          }
        }
      }
    `),
    { id: key.id, rpm: limit },
  );
  return key;
}

/**
 * Twice the limit sent to each instance while Redis is down: each counts alone, so each
 * admits up to the limit in a window (the README's per-instance fallback) and refuses the
 * rest with 429 and retry-after; nothing fails.
 */
export async function probeV1RateLimit(fleet: Fleet, key: Key, limit: number, log: Sent[]): Promise<V1RateLimitResult> {
  const instances: V1RateLimitResult['instances'] = [];
  for (const instance of fleet.live()) {
    const sent: Sent[] = [];
    for (let n = 0; n < 2 * limit; n++) sent.push(await send(instance, key, 'probe', 4 * n));
    log.push(...sent);
    const statuses: Record<number, number> = {};
    const admittedPerWindow = new Map<number, number>();
    for (const s of sent) {
      statuses[s.status] = (statuses[s.status] ?? 0) + 1;
      const window = Math.floor(s.start / 60_000);
      if (s.status === 200) admittedPerWindow.set(window, (admittedPerWindow.get(window) ?? 0) + 1);
    }
    instances.push({
      id: instance.id,
      statuses,
      mostAdmittedInAWindow: Math.max(0, ...admittedPerWindow.values()),
      refusalsWithRetryAfter: sent.filter((s) => s.status === 429 && s.retryAfter).length,
    });
  }
  const detail = instances
    .map(
      (i) =>
        `${i.id}: ${Object.entries(i.statuses)
          .map(([status, count]) => `${count} × ${status}`)
          .join(', ')} (at most ${i.mostAdmittedInAWindow} admitted in a minute)`,
    )
    .join('; ');
  return { limit, instances, detail: `limit ${limit} requests a minute on one key, ${2 * limit} sent to each instance: ${detail}` };
}
