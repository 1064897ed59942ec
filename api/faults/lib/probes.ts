// What a Redis outage costs beyond availability, measured while Redis is down:
// how long a key revoked on one instance stays usable on another that had it
// cached (revocations travel through the bus), and whether a Redis-backed rate
// limit (key creation) lets requests through (fail-open) or refuses them.
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
