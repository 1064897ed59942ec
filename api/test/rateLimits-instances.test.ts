// Rate limits across instances. Two Lumen servers on one PostgreSQL and one Redis share each
// key's window: with both taking requests for the same key, the admitted count stays within
// the README's bound of the limit (never more requests than the limit, at most (N-1)·S fewer;
// tokens at most N·W over). Then, in this process with a Redis of its own: while Redis is
// down each instance counts alone (per-instance limits), and shares again once it is back.
// The first part needs LUMEN_TEST_DATABASE_URL and REDIS_TEST_URL (CI sets both), the second
// redis-server on the PATH; each is skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { promptTokenBound } from '../src/domain/metering.ts';
import { setApiKeyRateLimits } from '../src/domain/rateLimits.ts';
import { configureRateWindows, maxSlice, shareRateWindows, stopSharingRateWindows } from '../src/domain/rateWindows.ts';
import { redisStatus } from '../src/events/bus.ts';
import { startTwoInstances, type Instance, type TwoInstances } from './support/instances.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { noRedisServer, startRedis, type RedisServer } from './support/redisServer.ts';
import { model, openai, unlimitedClient } from './support/v1.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_TEST_URL;
const skip = !adminUrl || !redisUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL) and REDIS_TEST_URL (Redis); CI sets both' : false;

const INSTANCES = 2;
const say = (content: string) => [{ role: 'user' as const, content }];

/** Sends `total` requests, `parallel` at a time, alternating between the instances; what each got. */
async function burst(instances: Instance[], secret: string, echo: string, total: number, parallel: number, maxTokens: number) {
  const clients = instances.map((instance) => openai(secret, `${instance.url}/v1`));
  const admitted: number[] = [];
  let refused = 0;
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      try {
        const answer = await clients[n % clients.length].chat.completions.create({
          model: echo,
          messages: say('a b c'),
          max_tokens: maxTokens,
        });
        admitted.push(answer.usage!.total_tokens);
      } catch (error) {
        if (!(error instanceof OpenAI.APIError) || error.status !== 429 || error.code !== 'rate_limit_exceeded') throw error;
        refused++;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { admitted, refused };
}

/** Windows are aligned on the minute: start a burst with at least 30 s of its window left. */
async function freshWindow() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 30_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
}

describe('two instances share each window through Redis', { skip }, () => {
  let deployment: TwoInstances;
  let echo: string;

  before(async () => {
    deployment = await startTwoInstances({
      adminUrl: adminUrl!,
      redisUrl: redisUrl!,
      name: 'rate_limits',
      beforeServers: async ({ viewer }) => {
        echo = (await model({ viewer }, { name: 'echo' })).name;
      },
    });
  });
  after(() => deployment?.close());

  test('the admitted requests and tokens stay within the bound of the limit', async (t) => {
    const { a, b, viewer, clientId } = deployment;
    const requestLimit = 40;
    const byRequests = await createApiKey(viewer, { clientId }, { name: 'requests' });
    await setApiKeyRateLimits(viewer, byRequests.apiKey.id, { requestsPerMinute: requestLimit });
    // Each request: 4 input + 3 output tokens; its worst case is the prompt's bound plus max_tokens.
    const maxTokens = 20;
    const worstCase = promptTokenBound([say('a b c')]) + maxTokens;
    const tokenLimit = 60 * 7;
    const byTokens = await createApiKey(viewer, { clientId }, { name: 'tokens' });
    await setApiKeyRateLimits(viewer, byTokens.apiKey.id, { tokensPerMinute: tokenLimit });

    await freshWindow();
    const requests = await burst([a, b], byRequests.secret, echo, 3 * requestLimit, 8, maxTokens);
    await freshWindow();
    const tokens = await burst([a, b], byTokens.secret, echo, 150, 8, maxTokens);

    const counted = tokens.admitted.reduce((sum, n) => sum + n, 0);
    t.diagnostic(
      `requests: ${requests.admitted.length} admitted of limit ${requestLimit}; tokens: ${counted} counted of limit ${tokenLimit} (W = ${worstCase})`,
    );
    // Requests: never more than the limit, and at most (N-1)·S fewer.
    const s = maxSlice(requestLimit);
    assert.ok(requests.admitted.length <= requestLimit, `admitted ${requests.admitted.length} > ${requestLimit}`);
    assert.ok(
      requests.admitted.length >= requestLimit - (INSTANCES - 1) * s,
      `admitted ${requests.admitted.length} < ${requestLimit} - ${(INSTANCES - 1) * s}`,
    );
    assert.equal(requests.refused, 3 * requestLimit - requests.admitted.length);
    // Tokens, as counted once settled: at most N worst cases over the limit, and at most (N-1)·(S + W) under it.
    assert.ok(counted <= tokenLimit + INSTANCES * worstCase, `counted ${counted} > ${tokenLimit} + ${INSTANCES} × ${worstCase}`);
    assert.ok(
      counted >= tokenLimit - (INSTANCES - 1) * (maxSlice(tokenLimit) + worstCase),
      `counted ${counted} tokens, far below ${tokenLimit}`,
    );
    assert.ok(tokens.refused > 0, 'no request was refused for tokens');
  });
});

/** Waits (bounded) until `condition` holds; only a hang fails. */
async function eventually(condition: () => boolean, what: string) {
  const until = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > until) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('while Redis is down, each instance counts alone', { skip: noRedisServer }, () => {
  let redis: RedisServer;
  let lumen: TestLumen;
  let admin: TestUser;
  let now = 5_000 * 60_000 + 1_000;

  before(async () => {
    redis = await startRedis();
    lumen = await startLumen();
    admin = await lumen.user({ admin: true });
    configureRateWindows({ now: () => now });
    await shareRateWindows(redis.url);
    await eventually(() => redisStatus() === 'ok', 'connected to Redis');
  });
  after(async () => {
    await stopSharingRateWindows();
    configureRateWindows();
    await redis?.destroy();
    await lumen?.close();
  });

  test('per-instance limits during the outage, shared again once Redis is back', async () => {
    const echo = (await model(admin)).name;
    const { key } = await unlimitedClient(lumen, admin);
    await setApiKeyRateLimits(admin.viewer, key.id, { requestsPerMinute: 3 });
    const ai = openai(key.secret);
    const ask = () =>
      ai.chat.completions.create({ model: echo, messages: say('x') }).then(
        () => 200,
        (error: unknown) => (error instanceof OpenAI.APIError ? (error.status as number) : Promise.reject(error)),
      );
    const counters = async () => {
      const client = new Redis(redis.url);
      try {
        return (await client.keys(`lumen:v1rl:*:key:${key.id}:r`)).length;
      } finally {
        client.disconnect();
      }
    };
    assert.equal(await ask(), 200);
    assert.equal(await counters(), 1, 'the window was borrowed from Redis');

    await redis.kill();
    await eventually(() => redisStatus() === 'down', 'Lumen notices that Redis is gone');
    // The window goes on alone: the whole limit, less what this instance counted.
    assert.deepEqual([await ask(), await ask(), await ask()], [200, 200, 429]);
    now += 60_000;
    assert.deepEqual([await ask(), await ask(), await ask(), await ask()], [200, 200, 200, 429]);

    await redis.start();
    await eventually(() => redisStatus() === 'ok', 'Lumen hears Redis again');
    now += 60_000;
    assert.deepEqual([await ask(), await ask(), await ask(), await ask()], [200, 200, 200, 429]);
    assert.equal(await counters(), 1, 'a new window is shared through Redis again (the restarted Redis kept nothing)');
  });
});
