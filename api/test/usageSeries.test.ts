// Usage over time (issue 13): series read from the 15-minute rollups that the batched
// settlement writes. Real traffic through the official OpenAI client proves that series
// and totals agree exactly; rollup rows placed at chosen instants prove the bucket bounds
// (UTC, a daylight-saving change, a +05:30 zone, ISO weeks).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { exact } from '../src/domain/coins.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, shownPool, sum, unlimitedClient } from './support/v1.ts';
import { deleteExpiredUsageRecords } from '../src/domain/usageRetention.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const ClientSeries = graphql(`
  query UsageSeries_Client($id: ID!, $from: DateTime!, $to: DateTime!, $bucket: UsageBucket!, $groupBy: UsageGroup, $timeZone: String) {
    client(id: $id) {
      usage {
        requests
        inputTokens
        outputTokens
        coinsSpent
      }
      usageSeries(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy, timeZone: $timeZone) {
        start
        other
        model {
          name
        }
        apiKey {
          name
        }
        requests
        inputTokens
        outputTokens
        totalTokens
        coinsSpent
      }
    }
  }
`);

const KeySeries = graphql(`
  query UsageSeries_Key($id: ID!, $from: DateTime!, $to: DateTime!, $groupBy: UsageGroup) {
    node(id: $id) {
      ... on ApiKey {
        requests
        coinsSpent
        usageSeries(from: $from, to: $to, bucket: DAY, groupBy: $groupBy) {
          model {
            name
          }
          requests
          coinsSpent
        }
      }
    }
  }
`);

const ModelSeries = graphql(`
  query UsageSeries_Model($id: ID!, $from: DateTime!, $to: DateTime!) {
    node(id: $id) {
      ... on Model {
        usageSeries(from: $from, to: $to, bucket: WEEK, groupBy: CLIENT) {
          client {
            name
          }
          requests
          coinsSpent
        }
      }
    }
  }
`);

const ViewerSeries = graphql(`
  query UsageSeries_Viewer($from: DateTime!, $to: DateTime!) {
    viewer {
      usage {
        requests
        coinsSpent
      }
      usageSeries(from: $from, to: $to, bucket: HOUR, groupBy: API_KEY) {
        apiKey {
          name
        }
        requests
        coinsSpent
      }
    }
  }
`);

const Instance = graphql(`
  query UsageSeries_Instance($from: DateTime!, $to: DateTime!, $groupBy: UsageGroup) {
    instanceUsage(from: $from, to: $to, bucket: DAY, groupBy: $groupBy) {
      points {
        start
        client {
          name
        }
        other
        requests
        coinsSpent
      }
      topClients(first: 3) {
        client {
          name
        }
        usage {
          requests
          coinsSpent
        }
      }
      topModels(first: 2) {
        model {
          name
        }
        usage {
          coinsSpent
        }
      }
    }
  }
`);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const sumOf = (points: { coinsSpent: unknown }[]) => sum(points.map((p) => String(p.coinsSpent)));
const requestsOf = (points: { requests: number }[]) => points.reduce((n, p) => n + p.requests, 0);

describe('series agree with totals after real traffic', () => {
  let client: Awaited<ReturnType<typeof unlimitedClient>>['client'];
  let keys: { id: string; secret: string }[];
  let chat: Awaited<ReturnType<typeof model>>;
  let embedding: Awaited<ReturnType<typeof model>>;
  const from = iso(Date.now() - 2 * DAY);
  const to = iso(Date.now() + DAY);

  before(async () => {
    const first = await unlimitedClient(lumen, admin);
    client = first.client;
    keys = [first.key, await clientKey(admin, client.id, 'second key')];
    chat = await model(admin, { inputCoinsPerMillion: '1234.5', outputCoinsPerMillion: '0.000001' });
    embedding = await model(admin, { kind: 'EMBEDDING', inputCoinsPerMillion: '7', outputCoinsPerMillion: '0' });
    // A mix: streamed and whole chat completions, embeddings, on both keys, at once.
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const ai = openai(keys[i % 2].secret);
        if (i % 3 === 0) return ai.embeddings.create({ model: embedding.name, input: `text ${i} `.repeat(i + 1) });
        if (i % 3 === 1) {
          const stream = await ai.chat.completions.create({
            model: chat.name,
            stream: true,
            messages: [{ role: 'user', content: `hello ${i}` }],
          });
          for await (const _chunk of stream);
          return;
        }
        return ai.chat.completions.create({
          model: chat.name,
          max_tokens: 5 + i,
          messages: [{ role: 'user', content: `q ${i} `.repeat(i) }],
        });
      }),
    );
  });

  test('the client: grouped by model, by key and not at all, the points sum to usage exactly', async () => {
    for (const groupBy of ['MODEL', 'API_KEY', null] as const) {
      const result = await lumen.gql(ClientSeries, { id: client.globalId, from, to, bucket: 'HOUR', groupBy }, admin);
      assert.equal(result.errors, undefined);
      const { usage, usageSeries } = result.data!.client!;
      assert.equal(usage.requests, 24);
      assert.equal(requestsOf(usageSeries), usage.requests);
      assert.equal(
        usageSeries.reduce((n, p) => n + p.inputTokens, 0),
        usage.inputTokens,
      );
      assert.equal(
        usageSeries.reduce((n, p) => n + p.outputTokens, 0),
        usage.outputTokens,
      );
      assert.equal(sumOf(usageSeries).toString(), exact(usage.coinsSpent as string).toString());
      for (const p of usageSeries) assert.equal(p.totalTokens, p.inputTokens + p.outputTokens);
      // Every bucket is present: hours in [from, to) times the groups of the range.
      const groups = groupBy ? 2 : 1;
      const hours = (Math.ceil(Date.parse(to) / HOUR) - Math.floor(Date.parse(from) / HOUR)) * groups;
      assert.equal(usageSeries.length, hours);
      const named = new Set(
        usageSeries.map((p) => (groupBy === 'MODEL' ? p.model?.name : groupBy === 'API_KEY' ? p.apiKey?.name : 'none')),
      );
      assert.deepEqual(
        [...named].sort(),
        groupBy === 'MODEL' ? [chat.name, embedding.name].sort() : groupBy === 'API_KEY' ? ['second key', 'test key'] : ['none'],
      );
    }
  });

  test('each key, each model and the instance agree with the counters and the usage records', async () => {
    for (const key of keys) {
      const result = await lumen.gql(KeySeries, { id: gid('ApiKey', key.id), from, to, groupBy: 'MODEL' }, admin);
      assert.equal(result.errors, undefined);
      const node = result.data!.node as { requests: number; coinsSpent: string; usageSeries: { requests: number; coinsSpent: string }[] };
      assert.equal(requestsOf(node.usageSeries), node.requests);
      assert.equal(sumOf(node.usageSeries).toString(), exact(node.coinsSpent).toString());
    }
    for (const m of [chat, embedding]) {
      const result = await lumen.gql(ModelSeries, { id: gid('Model', m.id), from, to }, admin);
      assert.equal(result.errors, undefined);
      const points = (result.data!.node as { usageSeries: { client: { name: string } | null; requests: number; coinsSpent: string }[] })
        .usageSeries;
      const records = await lumen.prisma.usageRecord.findMany({ where: { modelId: m.id } });
      assert.equal(requestsOf(points), records.length);
      assert.equal(sumOf(points).toString(), sum(records.map((r) => r.coins)).toString());
      assert.deepEqual([...new Set(points.map((p) => p.client?.name))], [client.name]);
    }
    const instance = await lumen.gql(Instance, { from, to, groupBy: 'CLIENT' }, admin);
    assert.equal(instance.errors, undefined);
    const all = await lumen.prisma.usageRecord.findMany({ where: { createdAt: { gte: new Date(from), lt: new Date(to) } } });
    assert.equal(requestsOf(instance.data!.instanceUsage.points), all.length);
    assert.equal(sumOf(instance.data!.instanceUsage.points).toString(), sum(all.map((r) => r.coins)).toString());
    const top = instance.data!.instanceUsage.topClients;
    assert.ok(top.length >= 1 && top.length <= 3);
    for (let i = 1; i < top.length; i++)
      assert.ok(exact(top[i - 1].usage.coinsSpent as string).gte(exact(top[i].usage.coinsSpent as string)));
    assert.ok(instance.data!.instanceUsage.topModels.length <= 2);
  });

  test('a series reads the rollups, never the usage records, in a fixed number of statements', async () => {
    const read = (groupBy: 'MODEL' | null) =>
      lumen.countQueries(() => lumen.gql(ClientSeries, { id: client.globalId, from, to, bucket: 'HOUR', groupBy }, admin));
    for (const groupBy of ['MODEL', null] as const) {
      const { count, statements } = await read(groupBy);
      assert.equal(statements.filter((sql) => sql.includes('"UsageRecord"')).length, 0, statements.join('\n'));
      assert.ok(statements.some((sql) => sql.includes('"UsageRollup"')));
      // More traffic, same statements: the cost follows the buckets, not the requests.
      await openai(keys[0].secret).chat.completions.create({ model: chat.name, messages: [{ role: 'user', content: 'one more' }] });
      assert.equal((await read(groupBy)).count, count);
    }
  });

  test("instanceUsage's points, top clients and top models share one computation of the range's buckets", async () => {
    const { statements } = await lumen.countQueries(() => lumen.gql(Instance, { from, to, groupBy: 'CLIENT' }, admin));
    const bounds = statements.filter((sql) => sql.includes('"edges"'));
    assert.equal(bounds.length, 1, statements.join('\n'));
    // And a second request computes its own (nothing is kept between requests).
    const again = await lumen.countQueries(() => lumen.gql(Instance, { from, to, groupBy: 'CLIENT' }, admin));
    assert.equal(again.statements.filter((sql) => sql.includes('"edges"')).length, 1);
  });

  test("the migration's backfill computes exactly the rollups that settlement wrote", async () => {
    const sql = readFileSync(new URL('../../prisma/migrations/20261210000000_usage_rollups/migration.sql', import.meta.url), 'utf8');
    const backfill = sql.slice(sql.indexOf('SELECT "apiKeyId", date_bin')).replace(/;\s*$/, '');
    const rebuilt = await lumen.prisma.$queryRawUnsafe<
      { apiKeyId: string; modelId: string; bucketStart: Date; requests: bigint; coins: string }[]
    >(
      `SELECT b.* FROM (${backfill}) AS b("apiKeyId", "bucketStart", "modelId", "clientId", "userId", "requests", "inputTokens", "outputTokens", "coins")
        ORDER BY 1, 2, 3`,
    );
    const live = await lumen.prisma.usageRollup.findMany({ orderBy: [{ apiKeyId: 'asc' }, { bucketStart: 'asc' }, { modelId: 'asc' }] });
    assert.ok(live.length > 0);
    assert.deepEqual(
      rebuilt.map((r) => [r.apiKeyId, new Date(r.bucketStart).toISOString(), r.modelId, Number(r.requests), exact(r.coins).toString()]),
      live.map((r) => [r.apiKeyId, r.bucketStart.toISOString(), r.modelId, r.requests, exact(r.coins).toString()]),
    );
  });
});

describe("personal keys: the viewer's own series", () => {
  test('a user sees the series of their personal keys, grouped by key, summing to their usage', async () => {
    const user = await lumen.user();
    const m = await model(admin);
    const { secret } = await createApiKey(user.viewer, { userId: user.id }, { name: 'notebook' });
    await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
    for (let i = 0; i < 3; i++)
      await openai(secret).chat.completions.create({ model: m.name, messages: [{ role: 'user', content: `hi ${i}` }] });
    const result = await lumen.gql(ViewerSeries, { from: iso(Date.now() - 3 * HOUR), to: iso(Date.now() + HOUR) }, user);
    assert.equal(result.errors, undefined);
    const viewer = result.data!.viewer;
    assert.equal(viewer.usage.requests, 3);
    assert.equal(requestsOf(viewer.usageSeries), 3);
    assert.equal(sumOf(viewer.usageSeries).toString(), exact(viewer.usage.coinsSpent as string).toString());
    assert.deepEqual([...new Set(viewer.usageSeries.map((p) => p.apiKey?.name))], ['notebook']);
  });
});

describe('bucket bounds, from rollup rows placed at chosen instants', () => {
  let client: { id: string; globalId: string };
  let keyId: string;
  let modelId: string;
  before(async () => {
    client = await lumen.client(admin);
    keyId = (await clientKey(admin, client.id)).id;
    modelId = (await model(admin)).id;
    // One request in each 15-minute bucket named here; coins tell them apart.
    const at = [
      '2026-03-28T22:45:00Z', // Berlin: Sat 28 Mar 23:45 (CET)
      '2026-03-28T23:00:00Z', // Berlin: Sun 29 Mar 00:00, the 23-hour day
      '2026-03-29T21:45:00Z', // Berlin: Sun 29 Mar 23:45 (CEST)
      '2026-03-29T22:00:00Z', // Berlin: Mon 30 Mar 00:00
      '2026-10-24T22:00:00Z', // Berlin: Sun 25 Oct 00:00, the 25-hour day
      '2026-10-25T22:45:00Z', // Berlin: Sun 25 Oct 23:45 (CET)
      '2026-10-25T23:00:00Z', // Berlin: Mon 26 Oct 00:00
    ];
    await lumen.prisma.usageRollup.createMany({
      data: at.map((instant, i) => ({
        apiKeyId: keyId,
        modelId,
        clientId: client.id,
        bucketStart: new Date(instant),
        requests: 1,
        inputTokens: 10n,
        outputTokens: 1n,
        coins: exact(2 ** i).toString(),
      })),
    });
  });

  const series = async (from: string, to: string, bucket: 'HOUR' | 'DAY' | 'WEEK', timeZone?: string) => {
    const result = await lumen.gql(ClientSeries, { id: client.globalId, from, to, bucket, timeZone }, admin);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.client!.usageSeries.map((p) => [p.start, Number(p.coinsSpent)]);
  };

  test('days across the spring change in Europe/Berlin: 24, 23 and 24 hours, empty days present', async () => {
    assert.deepEqual(await series('2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z', 'DAY', 'Europe/Berlin'), [
      ['2026-03-27T23:00:00.000Z', 1],
      ['2026-03-28T23:00:00.000Z', 2 + 4],
      ['2026-03-29T22:00:00.000Z', 8],
    ]);
  });

  test('the autumn change: a 25-hour day, and hours are absolute (the repeated hour is two buckets)', async () => {
    assert.deepEqual(await series('2026-10-24T22:00:00Z', '2026-10-26T23:00:00Z', 'DAY', 'Europe/Berlin'), [
      ['2026-10-24T22:00:00.000Z', 16 + 32],
      ['2026-10-25T23:00:00.000Z', 64],
    ]);
    const hours = await series('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 'HOUR', 'Europe/Berlin');
    assert.equal(hours.length, 25);
    assert.equal(
      hours.reduce((n, [, coins]) => n + (coins as number), 0),
      16 + 32,
    );
  });

  test('UTC days by default; from rounds down and to rounds up to bucket bounds', async () => {
    assert.deepEqual(await series('2026-03-28T12:34:00Z', '2026-03-29T00:00:01Z', 'DAY'), [
      ['2026-03-28T00:00:00.000Z', 1 + 2],
      ['2026-03-29T00:00:00.000Z', 4 + 8],
    ]);
  });

  test('a +05:30 zone: days start at 18:30 UTC and hours on the half hour', async () => {
    const days = await series('2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z', 'DAY', 'Asia/Kolkata');
    assert.deepEqual(days, [
      ['2026-03-27T18:30:00.000Z', 0],
      ['2026-03-28T18:30:00.000Z', 1 + 2],
      ['2026-03-29T18:30:00.000Z', 4 + 8],
    ]);
    const hours = await series('2026-03-28T22:00:00Z', '2026-03-29T00:00:00Z', 'HOUR', 'Asia/Kolkata');
    assert.deepEqual(hours, [
      ['2026-03-28T21:30:00.000Z', 0],
      ['2026-03-28T22:30:00.000Z', 1 + 2],
      ['2026-03-28T23:30:00.000Z', 0],
    ]);
  });

  test('ISO weeks start on Monday in the zone', async () => {
    assert.deepEqual(await series('2026-03-23T00:00:00Z', '2026-04-05T22:00:00Z', 'WEEK', 'Europe/Berlin'), [
      ['2026-03-22T23:00:00.000Z', 1 + 2 + 4],
      ['2026-03-29T22:00:00.000Z', 8],
    ]);
  });
});

describe('groups beyond the top 20 are one `other` group', () => {
  test('22 keys: the 20 largest by coins, then other with the two smallest, in every bucket', async () => {
    const client = await lumen.client(admin);
    const modelId = (await model(admin)).id;
    const keys = [];
    for (let i = 0; i < 22; i++) keys.push((await clientKey(admin, client.id, `k${String(i).padStart(2, '0')}`)).id);
    await lumen.prisma.usageRollup.createMany({
      data: keys.map((apiKeyId, i) => ({
        apiKeyId,
        modelId,
        clientId: client.id,
        bucketStart: new Date('2026-05-04T10:15:00Z'),
        requests: 1,
        inputTokens: 1n,
        outputTokens: 0n,
        coins: `${i + 1}.5`,
      })),
    });
    const result = await lumen.gql(
      ClientSeries,
      { id: client.globalId, from: '2026-05-04T00:00:00Z', to: '2026-05-06T00:00:00Z', bucket: 'DAY', groupBy: 'API_KEY' },
      admin,
    );
    assert.equal(result.errors, undefined);
    const points = result.data!.client!.usageSeries;
    assert.equal(points.length, 2 * 21);
    const first = points.filter((p) => p.start === '2026-05-04T00:00:00.000Z');
    assert.deepEqual(
      first.slice(0, 3).map((p) => p.apiKey?.name),
      ['k21', 'k20', 'k19'],
    );
    const other = first.at(-1)!;
    assert.equal(other.other, true);
    assert.equal(other.apiKey, null);
    assert.equal(String(other.coinsSpent), '4');
    assert.equal(other.requests, 2);
    assert.ok(points.filter((p) => p.start === '2026-05-05T00:00:00.000Z').every((p) => p.requests === 0));
  });
});

describe('refusals', () => {
  test('bad ranges, zones and groups are BAD_USER_INPUT with a message a person can act on', async () => {
    const client = await lumen.client(admin);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z', bucket: 'DAY' }, /to must be after from/],
      [{ from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', bucket: 'HOUR' }, /at most 5000 points.*larger bucket/],
      [{ from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z', bucket: 'DAY', timeZone: 'Mars/Olympus' }, /IANA time zone/],
      [{ from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z', bucket: 'DAY', timeZone: 'UTC+5' }, /IANA time zone/],
      [{ from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z', bucket: 'DAY', groupBy: 'CLIENT' }, /grouped by MODEL or API_KEY/],
    ];
    for (const [variables, message] of cases) {
      const result = await lumen.gql(ClientSeries, { id: client.globalId, ...variables } as never, admin);
      assert.equal(result.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(result.errors));
      assert.match(result.errors![0].message, message);
    }
    const key = await clientKey(admin, client.id);
    const byKey = await lumen.gql(
      KeySeries,
      { id: gid('ApiKey', key.id), from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z', groupBy: 'API_KEY' },
      admin,
    );
    assert.match(byKey.errors![0].message, /grouped by MODEL/);
  });

  test("who may read: not another client's manager, and a model's or the instance's series only an admin", async () => {
    const client = await lumen.client(admin);
    const m = await model(admin);
    const stranger = await lumen.user();
    const range = { from: '2026-05-01T00:00:00Z', to: '2026-05-02T00:00:00Z' };
    const owner = await lumen.gql(ClientSeries, { id: client.globalId, ...range, bucket: 'DAY' }, stranger);
    // A client one does not manage is not found, as for every other field of it.
    assert.equal(owner.data?.client, null);
    const modelSeries = await lumen.gql(ModelSeries, { id: gid('Model', m.id), ...range }, stranger);
    assert.equal(modelSeries.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const instance = await lumen.gql(Instance, range, stranger);
    assert.equal(instance.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });
});

// Last in this file: it deletes every usage record of the test database.
describe('retention of raw usage records', () => {
  test('deleting records past the retention changes no total, series or balance; Σ rollup coins = coins spent', async () => {
    const { client, key } = await unlimitedClient(lumen, admin);
    const limited = await lumen.client(admin);
    await setCoinPool(admin.viewer, { clientId: limited.id }, { state: 'LIMITED', capacity: '1000', balance: '1000' });
    const limitedKey = await clientKey(admin, limited.id);
    const m = await model(admin);
    for (let i = 0; i < 4; i++) {
      await openai(key.secret).chat.completions.create({ model: m.name, messages: [{ role: 'user', content: `x ${i}` }] });
      await openai(limitedKey.secret).chat.completions.create({ model: m.name, messages: [{ role: 'user', content: `y ${i}` }] });
    }
    const range = { from: iso(Date.now() - DAY), to: iso(Date.now() + DAY), bucket: 'HOUR' as const, groupBy: 'MODEL' as const };
    const read = async () => {
      const [a, b] = await Promise.all([
        lumen.gql(ClientSeries, { id: client.globalId, ...range }, admin),
        lumen.gql(ClientSeries, { id: limited.globalId, ...range }, admin),
      ]);
      const pool = await shownPool(lumen.prisma, limited.id);
      return JSON.stringify([a.data, b.data, pool.balance.toString()]);
    };
    const before = await read();

    // Records a day old are not there yet: fresh ones are kept.
    assert.equal(await deleteExpiredUsageRecords(1), 0);
    // Three days on, with a retention of one day, every record goes.
    const deleted = await deleteExpiredUsageRecords(1, new Date(Date.now() + 3 * DAY));
    assert.ok(deleted >= 8, `deleted ${deleted}`);
    assert.equal(await lumen.prisma.usageRecord.count(), 0);

    assert.equal(await read(), before);
    // (Other tests in this file placed rollup rows by hand; these two clients have only real traffic.)
    for (const clientId of [client.id, limited.id]) {
      const [rollups, spent] = await Promise.all([
        lumen.prisma.usageRollup.aggregate({ where: { clientId }, _sum: { coins: true } }),
        lumen.prisma.modelUsage.aggregate({ where: { clientId }, _sum: { coinsSpent: true } }),
      ]);
      assert.ok(exact(spent._sum.coinsSpent!).gt(0));
      assert.equal(exact(rollups._sum.coins!).toString(), exact(spent._sum.coinsSpent!).toString());
    }
  });
});
