// Two Lumen servers on one PostgreSQL and one Redis, as a deployment runs them:
// a subscriber on A hears usage metered on B, a key revoked on A is refused by B
// at once (B had it cached), and a client that
// leaves a stream served over real HTTP is billed for what it received.
// Needs LUMEN_TEST_DATABASE_URL and REDIS_TEST_URL (CI sets both); skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { gqlOn, startTwoInstances, subscribeOn, type Instance, type TwoInstances } from './support/instances.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { createClient } from '../src/domain/clients.ts';
import { setClientCoinPool } from '../src/domain/coinPools.ts';
import { connectRedisBus, disconnectBus, subscribeOwnerChanges } from '../src/events/bus.ts';
import { gid } from './support/lumen.ts';
import { model, openai, refusal, shownPool } from './support/v1.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_TEST_URL;
const skip = !adminUrl || !redisUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL) and REDIS_TEST_URL (Redis); CI sets both' : false;

describe('two instances on one PostgreSQL and one Redis', { skip }, () => {
  let deployment: TwoInstances;
  let database: TwoInstances['database'];
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let clientId: string;
  let echoModel: string;
  let slowModel: string;
  let viewer: TwoInstances['viewer'];

  before(async () => {
    deployment = await startTwoInstances({
      adminUrl: adminUrl!,
      redisUrl: redisUrl!,
      name: 'instances',
      beforeServers: async ({ viewer }) => {
        echoModel = (await model({ viewer }, { name: 'echo' })).name;
        slowModel = (await model({ viewer }, { name: 'echo-slow', upstreamModel: 'echo?tokenDelay=20' })).name;
        await connectRedisBus(redisUrl!);
      },
    });
    ({ a, b, database, adminToken, clientId, viewer } = deployment);
  });

  after(async () => {
    await disconnectBus();
    await deployment?.close();
  });

  const gql = (instance: Instance, query: string, variables: Record<string, unknown>) => gqlOn(instance, adminToken, query, variables);

  test('a key revoked on A is refused by B at once, though B had it cached', async () => {
    const { apiKey, secret: key } = await createApiKey(viewer, { clientId }, { name: 'shared key' });
    const onA = openai(key, `${a.url}/v1`);
    const onB = openai(key, `${b.url}/v1`);
    assert.equal(
      (await onA.chat.completions.create({ model: echoModel, messages: [{ role: 'user', content: 'from A' }] })).choices[0].message.content,
      'from A',
    );
    assert.equal(
      (await onB.chat.completions.create({ model: echoModel, messages: [{ role: 'user', content: 'from B' }] })).choices[0].message.content,
      'from B',
    );
    const revoked = await gql(a, `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { active } } }`, {
      id: gid('ApiKey', apiKey.id),
    });
    assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    const refused = await refusal(onB.chat.completions.create({ model: echoModel, messages: [{ role: 'user', content: 'again' }] }));
    assert.deepEqual([refused.status, refused.code], [401, 'revoked_api_key']);
    // Both servers metered into the same counters.
    const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    assert.equal(row.requests, 2);
  });

  test('a clientUsage subscription on A receives usage metered on B', async () => {
    const { secret: key } = await createApiKey(viewer, { clientId }, { name: 'metered on B' });
    const events = await subscribeOn(
      a,
      adminToken,
      graphql(`
        subscription V1Instances_ClientUsage($c: ID!) {
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
    try {
      // The subscription is registered (through Redis) a moment after the stream opens: request on B
      // until A hears one, a bounded number of times.
      const onB = openai(key, `${b.url}/v1`);
      let event: Awaited<ReturnType<typeof events.next>> = null;
      for (let attempt = 0; attempt < 20 && !event; attempt++) {
        await onB.chat.completions.create({ model: echoModel, messages: [{ role: 'user', content: `from B ${attempt}` }] });
        event = await Promise.race([events.next(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 500))]);
      }
      assert.ok(event, 'A never heard of the requests metered on B');
      assert.ok(event.data, `expected an event, got ${JSON.stringify(event)}`);
      assert.equal(event.data.clientUsage.change, 'METERED');
      assert.equal(event.data.clientUsage.apiKey?.name, 'metered on B');
      const metered = await database.prisma.usageRecord.count({ where: { clientId } });
      assert.ok(event.data.clientUsage.usage.requests <= metered && event.data.clientUsage.usage.requests > 0);
    } finally {
      await events.close();
    }
  });

  test('both servers refill the same pools; no interval is credited twice', async () => {
    // Both instances sweep every few seconds, each on its own clock; a pool with a
    // one-second interval is due at every sweep of either.
    const client = await createClient(viewer, { name: 'Refilled by two' });
    await setClientCoinPool(viewer, client.id, {
      state: 'LIMITED',
      capacity: '1000000',
      balance: '0',
      refillAmount: '0.5',
      refillIntervalSeconds: 1,
    });
    const start = new Date(Date.now() - 30_000);
    await database.prisma.coinPool.update({ where: { clientId: client.id }, data: { lastRefillAt: start } });
    const read = () => shownPool(database.prisma, client.id);
    // Wait (bounded) until both sweepers have had several turns: 12 s covers two rounds of each.
    const waitFrom = Date.now();
    while (Date.now() - waitFrom < 12_000) await new Promise((resolve) => setTimeout(resolve, 500));
    const pool = await read();
    const intervals = (pool.lastRefillAt!.getTime() - start.getTime()) / 1000;
    assert.ok(intervals >= 30, `the pool was not refilled: ${intervals} intervals`);
    assert.ok(Number.isInteger(intervals), 'lastRefillAt moved by a fraction of an interval');
    // Exactly one credit per interval that lastRefillAt moved past: none twice, none lost.
    assert.equal(pool.balance.toString(), (intervals * 0.5).toString());
  });

  test('a client that leaves a stream over real HTTP stops it and is billed for what it received', async () => {
    const { apiKey, secret: key } = await createApiKey(viewer, { clientId }, { name: 'stream key' });
    // The servers publish METERED through Redis; this process listens on the same bus.
    const events = subscribeOwnerChanges({ clientId, userId: null })[Symbol.asyncIterator]();
    const metered = events.next();
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const stream = await openai(key, `${b.url}/v1`).chat.completions.create({
      model: slowModel,
      messages: [{ role: 'user', content: words }],
      stream: true,
    });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) received++;
      if (received === 3) break;
    }
    const event = (await metered).value;
    await events.return?.();
    assert.deepEqual([event.change, event.apiKeyId], ['METERED', apiKey.id]);
    const record = await database.prisma.usageRecord.findFirstOrThrow({ where: { apiKeyId: apiKey.id } });
    assert.equal(record.status, 'client_disconnected');
    assert.ok(
      record.outputTokens >= 3 && record.outputTokens < 200,
      `billed ${record.outputTokens} of 200 tokens: what was produced before the client left`,
    );
  });
});
