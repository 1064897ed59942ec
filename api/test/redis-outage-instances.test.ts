// Two Lumen servers on one PostgreSQL and a Redis of the test's own, which dies
// (SIGKILL) and comes back: both keep serving, a key revoked on B is refused by A
// within the README's bound (through the invalidation counter in PostgreSQL), and
// once Redis is back, A's subscriber hears RESYNC, then each event exactly once.
// Needs LUMEN_TEST_DATABASE_URL (CI sets it) and redis-server; skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { gqlOn, startTwoInstances, subscribeOn, type Instance, type TwoInstances } from './support/instances.ts';
import { noRedisServer, startRedis, type RedisServer } from './support/redisServer.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { gid } from './support/lumen.ts';
import { model, openai } from './support/v1.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const skip = !adminUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL); CI sets it' : noRedisServer;

/** Waits (bounded) until `condition` holds; the deadline is generous, only a hang or a stale cache (60 s) fails. */
async function eventually(condition: () => Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two instances while their Redis dies and comes back', { skip }, () => {
  let redis: RedisServer;
  let deployment: TwoInstances;
  let database: TwoInstances['database'];
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let clientId: string;
  let echoModel: string;
  let viewer: TwoInstances['viewer'];

  before(async () => {
    redis = await startRedis();
    deployment = await startTwoInstances({
      adminUrl: adminUrl!,
      redisUrl: redis.url,
      name: 'redis_outage',
      beforeServers: async ({ viewer }) => {
        echoModel = (await model({ viewer }, { name: 'echo' })).name;
      },
    });
    ({ a, b, database, adminToken, clientId, viewer } = deployment);
  });

  after(async () => {
    await deployment?.close();
    await redis?.destroy();
  });

  const viewerName = async (instance: Instance) =>
    (
      await gqlOn(
        instance,
        adminToken,
        graphql(`
          query RedisOutageInstances_Viewer {
            viewer {
              name
            }
          }
        `),
      )
    ).data?.viewer.name;
  const ask = async (instance: Instance, key: string, content: string) =>
    (await openai(key, `${instance.url}/v1`).chat.completions.create({ model: echoModel, messages: [{ role: 'user', content }] }))
      .choices[0].message.content;
  /** The status /v1 answers with this key (0: no answer at all). */
  const statusOf = async (instance: Instance, key: string): Promise<number> => {
    try {
      await ask(instance, key, 'still?');
      return 200;
    } catch (error) {
      return (error as { status?: number }).status ?? 0;
    }
  };
  const redisUp = async (instance: Instance) => /^lumen_redis_up 1$/m.test(await (await fetch(`${instance.url}/metrics`)).text());
  const alive = () =>
    assert.deepEqual([a.process.exitCode, b.process.exitCode], [null, null], `an instance exited:\n${a.output()}\n${b.output()}`);

  test('Redis down: both serve, a key revoked on B is refused by A within the bound; back: RESYNC, then each event once', async () => {
    const { apiKey: revokedKey, secret: doomed } = await createApiKey(viewer, { clientId }, { name: 'revoked on B' });
    const { secret: keyA } = await createApiKey(viewer, { clientId }, { name: 'used on A' });
    const { secret: keyB } = await createApiKey(viewer, { clientId }, { name: 'used on B' });
    // A caches the key (60 s) before the outage.
    assert.equal(await ask(a, doomed, 'cache it'), 'cache it');
    await eventually(async () => (await redisUp(a)) && (await redisUp(b)), 'both instances reach Redis');

    await redis.kill();
    await eventually(async () => !(await redisUp(a)) && !(await redisUp(b)), 'both instances notice that Redis is gone');
    assert.equal(await ask(a, keyA, 'A without Redis'), 'A without Redis');
    assert.equal(await ask(b, keyB, 'B without Redis'), 'B without Redis');
    assert.equal(await viewerName(a), 'Admin');

    const revoked = await gqlOn(b, adminToken, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { active } } }`, {
      id: gid('ApiKey', revokedKey.id),
    });
    assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    // README: within 2 s; the deadline here is generous (the machine may be busy), but far below A's 60 s cache lifetime.
    await eventually(async () => (await statusOf(a, doomed)) === 401, 'A refuses the key revoked on B', 15_000);
    alive();

    // A subscriber on A, opened while Redis is down: A's own events reach it.
    const events = await subscribeOn(
      a,
      adminToken,
      graphql(`
        subscription RedisOutageInstances_ClientUsage($c: ID!) {
          clientUsage(clientId: $c) {
            change
            usage {
              requests
            }
            apiKey {
              name
            }
          }
        }
      `),
      { c: gid('Client', clientId) },
    );
    /** The next event's figures; an error or the end of the stream fails the test. */
    const nextEvent = async () => {
      const event = await events.next();
      assert.ok(event?.data, `expected an event, got ${JSON.stringify(event)}`);
      return event.data.clientUsage;
    };
    /** The next event that is not a RESYNC (another instance may announce one when it can publish again). */
    const nextChange = async () => {
      for (;;) {
        const event = await nextEvent();
        if (event.change !== 'RESYNC') return event;
      }
    };
    try {
      // The stream opens before the subscription is registered: request on A until it hears one
      // (bounded); one read is pending at a time.
      const pending = events.next();
      let first: Awaited<typeof pending> = null;
      for (let attempt = 0; attempt < 10 && !first; attempt++) {
        await ask(a, keyA, `A offline ${attempt}`);
        first = await Promise.race([pending, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000))]);
      }
      assert.deepEqual(
        [first?.data?.clientUsage.change, first?.data?.clientUsage.apiKey?.name],
        ['METERED', 'used on A'],
        'A did not hear its own request while Redis was down',
      );

      await redis.start();
      // Then RESYNC (after what a slow stream still held of the attempts above), with current figures.
      let resync = await nextEvent();
      while (resync.change === 'METERED' && resync.apiKey?.name === 'used on A') resync = await nextEvent();
      assert.equal(resync.change, 'RESYNC');
      assert.equal(resync.usage.requests, await database.prisma.usageRecord.count({ where: { clientId } }));
      assert.equal(resync.apiKey, null);
      await eventually(async () => (await redisUp(a)) && (await redisUp(b)), 'both instances reach Redis again');

      // Cross-instance events flow again, and A's own come once (not again through Redis): B's
      // event, published after A's, reaches A's subscriber after any echo of A's would have.
      assert.equal(await ask(a, keyA, 'A again'), 'A again');
      const own = await nextChange();
      assert.deepEqual([own.change, own.apiKey?.name], ['METERED', 'used on A']);
      assert.equal(await ask(b, keyB, 'B again'), 'B again');
      const fromB = await nextChange();
      assert.deepEqual([fromB.change, fromB.apiKey?.name], ['METERED', 'used on B']);
      assert.equal(await ask(a, keyA, 'A once more'), 'A once more');
      const ownAgain = await nextChange();
      assert.deepEqual([ownAgain.change, ownAgain.apiKey?.name], ['METERED', 'used on A']);
    } finally {
      await events.close();
    }
    alive();
  });
});
