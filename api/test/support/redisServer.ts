// A Redis of the test's own, on a spare port, which the test may kill with SIGKILL and
// start again on the same port: nothing shared is touched. The fault suite's (faults/lib).
import { spawnSync } from 'node:child_process';
import { sparePort } from '../../faults/lib/ports.ts';
import { createRedis, type RedisServer } from '../../faults/lib/redis.ts';

export type { RedisServer };

/** Why a Redis test cannot run here, or false. */
export const noRedisServer: string | false =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'needs redis-server on the PATH (CI has it)';

export async function startRedis(): Promise<RedisServer> {
  return createRedis(await sparePort());
}
