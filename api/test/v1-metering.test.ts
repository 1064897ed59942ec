// Coins: exact costs, reservations settled in the same transaction as the usage,
// sums that agree everywhere after a mixed run, parallel requests against a small
// LIMITED pool, and refills that never credit an interval twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { priceOf } from '../src/domain/metering.ts';
import { refillDuePools } from '../src/domain/refills.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, pool, refusal, sum, shownPool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const say = (text: string) => [{ role: 'user' as const, content: text }];

describe('metering', () => {
  test('after a mixed run every sum agrees exactly, and balance = start + refills - spent', async () => {
    const priced = await model(admin, { inputCoinsPerMillion: '0.123457', outputCoinsPerMillion: '7.654321' });
    const consented = await model(admin, {
      inputCoinsPerMillion: '3.000001',
      outputCoinsPerMillion: '11.5',
      needsConsent: true,
      consentNotice: 'ok',
    });
    const client = await lumen.client(admin);
    await pool(admin, client.id, {
      state: 'LIMITED',
      capacity: '1',
      balance: '0.5',
      refillAmount: '0.000777',
      refillIntervalSeconds: 3600,
    });
    const start = exact('0.5');
    await lumen.gql(
      `mutation($c: ID!, $m: ID!) { grantModelConsent(input: { clientId: $c, modelId: $m }) { modelAccess { status } } }`,
      { c: client.globalId, m: gid('Model', consented.id) },
      admin,
    );
    const keyA = await clientKey(admin, client.id, 'A');
    const keyB = await clientKey(admin, client.id, 'B');
    const a = openai(keyA.secret);
    const b = openai(keyB.secret);
    // An expected cost per request, computed from the echo's token rule independently of Lumen's records.
    const expected: { key: string; coins: string }[] = [];
    const run = async (
      key: string,
      ai: typeof a,
      m: typeof priced,
      text: string,
      options: { stream?: boolean; max_tokens?: number } = {},
    ) => {
      const words = text.split(/\s+/).filter(Boolean).length;
      const output = Math.min(words, options.max_tokens ?? Infinity);
      if (options.stream) {
        const stream = await ai.chat.completions.create({
          model: m.name,
          messages: say(text),
          stream: true,
          max_tokens: options.max_tokens,
        });
        for await (const _ of stream) void _;
      } else {
        const answer = await ai.chat.completions.create({ model: m.name, messages: say(text), max_tokens: options.max_tokens });
        assert.equal(answer.usage?.completion_tokens, output);
      }
      expected.push({ key, coins: priceOf(m, 1 + words, output).toFixed() });
    };
    await run('A', a, priced, 'one two three');
    await run('A', a, priced, 'a b c d e f g', { stream: true });
    await run('B', b, consented, 'hello there', { max_tokens: 1 });
    await run('B', b, priced, 'x y', { stream: true, max_tokens: 5 });
    await run('A', a, consented, 'seven words are in this short sentence', { stream: true });
    // Refused requests cost nothing and record nothing.
    assert.equal((await refusal(a.chat.completions.create({ model: 'missing', messages: say('x') }))).status, 404);
    const expensive = await model(admin, { inputCoinsPerMillion: '1000000', outputCoinsPerMillion: '1000000' });
    assert.equal((await refusal(b.chat.completions.create({ model: expensive.name, messages: say('x') }))).status, 429);
    // A refill of three missed intervals lands between requests.
    const refillAt = new Date();
    await lumen.prisma.coinPool.update({
      where: { clientId: client.id },
      data: { lastRefillAt: new Date(refillAt.getTime() - 3.5 * 3600_000) },
    });
    const credits = await refillDuePools({ now: refillAt });
    const credited = sum(credits.filter((c) => c.clientId === client.id).map((c) => c.credited));
    assert.equal(credited.toFixed(), '0.002331');
    await run('B', b, priced, 'after the refill', { stream: true });
    await run('A', a, priced, 'last one');
    // The first key is revoked: its usage still counts everywhere.
    await lumen.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: gid('ApiKey', keyA.id) }, admin);

    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
    assert.equal(records.length, expected.length);
    assert.ok(records.every((r) => r.status === 'ok'));
    const recordSum = sum(records.map((r) => r.coins));
    assert.equal(recordSum.toFixed(), sum(expected.map((e) => e.coins)).toFixed(), 'each request cost exactly its tokens × prices');
    assert.deepEqual(records.map((r) => exact(r.coins).toFixed()).sort(), expected.map((e) => exact(e.coins).toFixed()).sort());

    const seen = await lumen.gql(
      graphql(`
        query V1Metering_Client($id: ID!) {
          client(id: $id) {
            usage {
              requests
              inputTokens
              outputTokens
              coinsSpent
            }
            coinPool {
              balance
            }
            apiKeys(includeRevoked: true) {
              edges {
                node {
                  name
                  requests
                  inputTokens
                  outputTokens
                  coinsSpent
                  lastUsedAt
                }
              }
            }
            modelAccess {
              model {
                name
              }
              usage {
                requests
                coinsSpent
              }
              lastUsedAt
            }
          }
        }
      `),
      { id: client.globalId },
      admin,
    );
    assert.equal(seen.errors, undefined, JSON.stringify(seen.errors));
    const c = seen.data?.client;
    assert.ok(c, 'no client');
    assert.equal(c.usage.coinsSpent, recordSum.toFixed());
    assert.equal(c.usage.requests, records.length);
    assert.equal(
      c.usage.inputTokens,
      records.reduce((n, r) => n + r.inputTokens, 0),
    );
    assert.equal(
      c.usage.outputTokens,
      records.reduce((n, r) => n + r.outputTokens, 0),
    );
    const keys = c.apiKeys.edges.map((e) => e.node);
    assert.equal(sum(keys.map((k) => k.coinsSpent)).toFixed(), recordSum.toFixed());
    assert.equal(
      keys.reduce((n, k) => n + k.requests, 0),
      records.length,
    );
    for (const name of ['A', 'B']) {
      const key = keys.find((k) => k.name === name);
      assert.ok(key, `no key ${name}`);
      assert.equal(exact(key.coinsSpent).toFixed(), sum(expected.filter((e) => e.key === name).map((e) => e.coins)).toFixed());
      assert.ok(key.lastUsedAt);
    }
    const perModel = c.modelAccess.filter((x) => [priced.name, consented.name].includes(x.model.name));
    assert.equal(sum(perModel.map((x) => x.usage.coinsSpent)).toFixed(), recordSum.toFixed());
    assert.ok(perModel.every((x) => x.lastUsedAt));
    assert.equal(
      exact(c.coinPool.balance!).toFixed(),
      start.plus(credited).minus(recordSum).toFixed(),
      'balance = start + refills - spent',
    );
  });

  test('parallel requests at a pool that covers only some: the admitted count fits exactly, the balance never goes negative', async () => {
    // Output-only prices and max_tokens = the answer's length make the worst case the actual cost: 3 coins a request.
    const m = await model(admin, { inputCoinsPerMillion: '0', outputCoinsPerMillion: '1000000' });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '62' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    const attempts = 60;
    const results = await Promise.allSettled(
      Array.from({ length: attempts }, async (_, i) => {
        if (i % 2 === 0) return ai.chat.completions.create({ model: m.name, messages: say('one two three'), max_tokens: 3 });
        const stream = await ai.chat.completions.create({ model: m.name, messages: say('one two three'), max_tokens: 3, stream: true });
        for await (const _ of stream) void _;
        return stream;
      }),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(admitted, 20, 'floor(62 / 3) requests fit');
    for (const r of refused) assert.equal((r as PromiseRejectedResult).reason.status, 429);
    const after = await shownPool(lumen.prisma, client.id);
    assert.equal(exact(after.balance).toFixed(), '2');
    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
    assert.equal(records.length, admitted);
    assert.equal(sum(records.map((r) => r.coins)).toFixed(), '60');
    const keyRow = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    assert.equal(keyRow.requests, admitted);
    assert.equal(exact(keyRow.coinsSpent).toFixed(), '60');
    const usage = await lumen.prisma.modelUsage.findFirstOrThrow({ where: { clientId: client.id, modelId: m.id } });
    assert.equal(usage.requests, admitted);
    assert.equal(exact(usage.coinsSpent).toFixed(), '60');
  });

  test('UNLIMITED pools are metered but never refused, and their balance is untouched', async () => {
    const m = await model(admin, { outputCoinsPerMillion: '1000000000' });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'UNLIMITED' });
    const key = await clientKey(admin, client.id);
    await openai(key.secret).chat.completions.create({ model: m.name, messages: say('a b c'), max_tokens: 1_000_000 });
    const row = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    assert.equal(exact(row.coinsSpent).toFixed(), priceOf(m, 4, 3).toFixed());
    assert.equal(exact((await shownPool(lumen.prisma, client.id)).balance).toFixed(), '0');
  });

  test('a request refused for coins first credits a refill that is due', async () => {
    const m = await model(admin, { inputCoinsPerMillion: '0', outputCoinsPerMillion: '1000000' });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '10', balance: '0', refillAmount: '5', refillIntervalSeconds: 60 });
    await lumen.prisma.coinPool.update({ where: { clientId: client.id }, data: { lastRefillAt: new Date(Date.now() - 61_000) } });
    const key = await clientKey(admin, client.id);
    await openai(key.secret).chat.completions.create({ model: m.name, messages: say('a b c'), max_tokens: 3 });
    assert.equal(exact((await shownPool(lumen.prisma, client.id)).balance).toFixed(), '2');
    const refused = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: say('a b c'), max_tokens: 3 }));
    assert.equal(refused.status, 429);
    assert.match(refused.message, /next refill is at/);
  });
});

describe('refills', () => {
  const minute = 60_000;

  async function limitedPool(input: { capacity: string; balance: string; amount: string; intervals: number }) {
    const client = await lumen.client(admin);
    await pool(admin, client.id, {
      state: 'LIMITED',
      capacity: input.capacity,
      balance: input.balance,
      refillAmount: input.amount,
      refillIntervalSeconds: 60,
    });
    const lastRefillAt = new Date(Date.now() - input.intervals * minute);
    await lumen.prisma.coinPool.update({ where: { clientId: client.id }, data: { lastRefillAt } });
    return { client, lastRefillAt };
  }

  test('missed intervals are all credited, capped at capacity, and lastRefillAt moves by whole intervals', async () => {
    const { client, lastRefillAt } = await limitedPool({ capacity: '100', balance: '10', amount: '7.25', intervals: 7.5 });
    const now = new Date(lastRefillAt.getTime() + 7.5 * minute);
    const credits = (await refillDuePools({ now })).filter((c) => c.clientId === client.id);
    assert.deepEqual(
      credits.map((c) => [c.intervals, c.credited.toFixed()]),
      [[7, '50.75']],
    );
    const row = await shownPool(lumen.prisma, client.id);
    assert.equal(exact(row.balance).toFixed(), '60.75');
    assert.equal(row.lastRefillAt!.getTime(), lastRefillAt.getTime() + 7 * minute);
    // Half an interval later nothing is due; a whole one later exactly one is.
    assert.equal((await refillDuePools({ now: new Date(now.getTime() + 0.4 * minute) })).filter((c) => c.clientId === client.id).length, 0);
    const next = (await refillDuePools({ now: new Date(now.getTime() + 0.6 * minute) })).filter((c) => c.clientId === client.id);
    assert.deepEqual(
      next.map((c) => c.intervals),
      [1],
    );
    const capped = await limitedPool({ capacity: '20', balance: '15', amount: '10', intervals: 3 });
    await refillDuePools({ now: new Date(capped.lastRefillAt.getTime() + 3 * minute) });
    assert.equal(exact((await shownPool(lumen.prisma, capped.client.id)).balance).toFixed(), '20');
  });

  test('a balance already above capacity is never lowered', async () => {
    const { client, lastRefillAt } = await limitedPool({ capacity: '20', balance: '20', amount: '10', intervals: 2 });
    await lumen.prisma.coinPool.update({ where: { clientId: client.id }, data: { balance: '25' } });
    await refillDuePools({ now: new Date(lastRefillAt.getTime() + 2 * minute) });
    const row = await shownPool(lumen.prisma, client.id);
    assert.equal(exact(row.balance).toFixed(), '25');
    assert.equal(row.lastRefillAt!.getTime(), lastRefillAt.getTime() + 2 * minute);
  });

  test('many refills at once, on separate connections, credit each interval exactly once', async () => {
    const pools = await Promise.all([1, 2, 3].map(() => limitedPool({ capacity: '1000', balance: '0', amount: '10', intervals: 7.5 })));
    const now = new Date(Math.max(...pools.map((p) => p.lastRefillAt.getTime())) + 7.5 * minute);
    // On PostgreSQL these run on up to 10 pooled connections at the same time, like several instances would.
    const runs = await Promise.all(Array.from({ length: 24 }, () => refillDuePools({ now })));
    for (const { client, lastRefillAt } of pools) {
      const credits = runs.flat().filter((c) => c.clientId === client.id);
      assert.equal(credits.length, 1, 'one run credited this pool, the others found nothing due');
      assert.equal(credits[0].intervals, 7);
      const row = await shownPool(lumen.prisma, client.id);
      assert.equal(exact(row.balance).toFixed(), '70');
      assert.equal(row.lastRefillAt!.getTime(), lastRefillAt.getTime() + 7 * minute);
    }
    const seen = await lumen.gql(
      graphql(`
        query V1Metering_NextRefill($id: ID!) {
          client(id: $id) {
            coinRefill {
              nextRefillAt
            }
          }
        }
      `),
      { id: pools[0].client.globalId },
      admin,
    );
    assert.equal(new Date(seen.data?.client?.coinRefill?.nextRefillAt ?? 0).getTime() > Date.now() - minute, true);
  });
});
