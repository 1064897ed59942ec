// Redis goes away while Lumen runs (its own redis-server, killed with SIGKILL and
// started again on the same port): GraphQL, /v1 and the rate limits keep working,
// events still reach this instance's subscribers exactly once, and when Redis is
// back a subscriber hears RESYNC with current figures, then events as before.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectRedisBus, disconnectBus, redisStatus, subscriberCount } from '../src/events/bus.ts';
import { consume, RateLimitedError, stopRedisRateLimits, useRedisRateLimits } from '../src/http/rateLimits.ts';
import { RATE_LIMITS } from '../src/http/limits.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';
import { noRedisServer, startRedis, type RedisServer } from './support/redisServer.ts';
import { SseReader } from './support/sse.ts';
import { model, openai, unlimitedClient } from './support/v1.ts';

/** Waits (bounded) until `condition` holds; the deadline is generous, only a hang fails. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis goes away and comes back while Lumen runs', { skip: noRedisServer }, () => {
  let redis: RedisServer;
  let lumen: TestLumen;
  let admin: TestUser;
  // Whatever ioredis or the bus would leave unhandled (today's MaxRetriesPerRequestError ended the process).
  const unhandled: unknown[] = [];
  const record = (error: unknown) => unhandled.push(error);

  before(async () => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
    redis = await startRedis();
    lumen = await startLumen();
    admin = await lumen.user({ admin: true });
    await connectRedisBus(redis.url);
    await useRedisRateLimits(redis.url);
  });

  after(async () => {
    await disconnectBus();
    await stopRedisRateLimits();
    await redis?.destroy();
    await lumen?.close();
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });

  const SUBSCRIPTION = graphql(`
    subscription RedisOutage_ClientUsage($id: ID!) {
      clientUsage(clientId: $id) {
        change
        usage {
          requests
        }
        apiKey {
          name
        }
      }
    }
  `);

  test('GraphQL, /v1, events and rate limits keep working; RESYNC when Redis is back', async () => {
    const { client, key } = await unlimitedClient(lumen, admin);
    const echo = (await model(admin)).name;
    const ask = async (content: string) =>
      (await openai(key.secret).chat.completions.create({ model: echo, messages: [{ role: 'user', content }] })).choices[0].message.content;
    const response = await lumen.fetch('/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ query: SUBSCRIPTION, variables: { id: client.globalId } }),
    });
    const events = new SseReader<ResultOf<typeof SUBSCRIPTION>>(response);
    try {
      await eventually(() => subscriberCount({ clientId: client.id, userId: null }) === 1, 'the subscription is registered');
      assert.equal(await ask('with Redis'), 'with Redis');
      const beforeOutage = await events.next();
      assert.deepEqual([beforeOutage?.data?.clientUsage.change, beforeOutage?.data?.clientUsage.usage.requests], ['METERED', 1]);

      await redis.kill();
      await eventually(() => redisStatus() === 'down', 'Lumen notices that Redis is gone');

      // /v1 and GraphQL answer; the metered request reaches this instance's subscriber.
      assert.equal(await ask('without Redis'), 'without Redis');
      const viewer = assertOk(await lumen.gql(`{ viewer { id } }`, {}, admin)) as { viewer: { id: string } };
      assert.equal(viewer.viewer.id, admin.globalId);
      const metered = await events.next();
      assert.deepEqual([metered?.data?.clientUsage.change, metered?.data?.clientUsage.usage.requests], ['METERED', 2]);
      // Key creation (rate-limited per user) works too, and its event is the very next one: METERED came once.
      assertOk(
        await lumen.gql(
          `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "made offline" }) { secret } }`,
          { c: client.globalId },
          admin,
        ),
      );
      const created = await events.next();
      assert.deepEqual([created?.data?.clientUsage.change, created?.data?.clientUsage.apiKey?.name], ['KEY_CREATED', 'made offline']);

      // The sign-in limit still holds (per instance, in memory) rather than failing every attempt or none.
      const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
      for (let i = 0; i < RATE_LIMITS.signIn.points; i++) await consume('signIn', address);
      await assert.rejects(consume('signIn', address), RateLimitedError);

      const metrics = await (await lumen.fetch('/metrics')).text();
      assert.match(metrics, /^lumen_redis_up 0$/m);
      const degraded = Number(/^lumen_redis_degraded_seconds_total (\S+)$/m.exec(metrics)?.[1]);
      assert.ok(degraded > 0, `degraded seconds: ${degraded}`);

      await redis.start();
      // The subscriber may have missed other instances' events: RESYNC, with the figures as they are.
      const resync = await events.next();
      assert.deepEqual(
        [resync?.data?.clientUsage.change, resync?.data?.clientUsage.usage.requests, resync?.data?.clientUsage.apiKey],
        ['RESYNC', 2, null],
      );
      await eventually(() => redisStatus() === 'ok', 'Lumen reconnects to Redis');
      assert.equal(await ask('with Redis again'), 'with Redis again');
      const next = await events.next();
      assert.deepEqual([next?.data?.clientUsage.change, next?.data?.clientUsage.usage.requests], ['METERED', 3]);
      assert.match(await (await lumen.fetch('/metrics')).text(), /^lumen_redis_up 1$/m);
    } finally {
      await events.close();
    }
    assert.deepEqual(unhandled, []);
  });
});
