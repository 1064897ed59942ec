// API keys that expire: createApiKey's expiresAt for client and personal keys, the
// LUMEN_API_KEY_MAX_DAYS cap and default, /v1's 401 expired_api_key through the official
// openai client (a cached key too, on time), and the KEY_EXPIRING notices 7 days and 1 day
// before, each delivered once however many instances run the job at the same moment.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { config, loadConfig, setConfig } from '../src/config.ts';
import { createApiKey, revokeApiKey } from '../src/domain/apiKeys.ts';
import { sendExpiryNotices } from '../src/domain/keyExpiry.ts';
import { subscriberCount } from '../src/events/bus.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';
import { SseReader } from './support/sse.ts';
import { model, openai, pool, refusal } from './support/v1.ts';

const DAY_MS = 24 * 3600 * 1000;

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const CREATE = graphql(`
  mutation ApiKeyExpiry_Create($c: ID, $n: String!, $e: DateTime) {
    createApiKey(input: { clientId: $c, name: $n, expiresAt: $e }) {
      secret
      apiKey {
        id
        expiresAt
      }
    }
  }
`);

const MAX_DAYS = graphql(`
  query ApiKeyExpiry_MaxDays {
    apiKeyMaxDays
  }
`);

/** Runs `work` as if this instance had started with LUMEN_API_KEY_MAX_DAYS=`days` (read by the real parser). */
async function withMaxDays(days: string, work: () => Promise<void>): Promise<void> {
  const started = config();
  setConfig({ ...started, apiKeyMaxDays: loadConfig({ NODE_ENV: 'test', LUMEN_API_KEY_MAX_DAYS: days }).apiKeyMaxDays });
  try {
    await work();
  } finally {
    setConfig(started);
  }
}

const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY_MS);

describe('createApiKey', () => {
  test('a client key and a personal key take expiresAt; left out, without a limit, a key never expires', async () => {
    const client = await lumen.client(admin);
    const user = await lumen.user();
    const when = inDays(45);
    const clientKey = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: 'quarterly', e: when.toISOString() }, admin));
    assert.equal(clientKey.createApiKey.apiKey.expiresAt, when.toISOString());
    const personal = assertOk(await lumen.gql(CREATE, { n: 'mine', e: when.toISOString() }, user));
    assert.equal(personal.createApiKey.apiKey.expiresAt, when.toISOString());
    const rows = await lumen.prisma.apiKey.findMany({ where: { OR: [{ clientId: client.id }, { userId: user.id }] } });
    assert.deepEqual(
      rows.map((row) => row.expiresAt?.toISOString()),
      [when.toISOString(), when.toISOString()],
    );

    assert.equal(assertOk(await lumen.gql(MAX_DAYS, {}, user)).apiKeyMaxDays, null);
    const forever = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: 'forever' }, admin));
    assert.equal(forever.createApiKey.apiKey.expiresAt, null);
    const foreverToo = assertOk(await lumen.gql(CREATE, { n: 'mine forever', e: null }, user));
    assert.equal(foreverToo.createApiKey.apiKey.expiresAt, null);
    // The audit entry says when the key expires.
    const audit = await lumen.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'apiKey.create', actorId: admin.id, details: { path: ['name'], equals: 'quarterly' } },
    });
    assert.equal((audit.details as { expiresAt?: string }).expiresAt, when.toISOString());
  });

  test('a date that is not in the future is refused, and nothing is created', async () => {
    const client = await lumen.client(admin);
    const user = await lumen.user();
    const before = await lumen.snapshot();
    for (const past of [new Date(Date.now() - 60_000), new Date('2020-01-01T00:00:00Z')]) {
      const refused = await lumen.gql(CREATE, { c: client.globalId, n: 'late', e: past.toISOString() }, admin);
      assertErrorCode(refused, 'BAD_USER_INPUT');
      assert.match(refused.errors![0].message, /expiresAt must be in the future/);
      assert.equal(refused.errors![0].extensions?.field, 'expiresAt');
      assertErrorCode(await lumen.gql(CREATE, { n: 'late', e: past.toISOString() }, user), 'BAD_USER_INPUT');
    }
    // Not a date at all: the DateTime scalar refuses it.
    assertErrorCode(await lumen.gql(CREATE, { c: client.globalId, n: 'late', e: 'next week' }, admin), 'BAD_USER_INPUT');
    assert.equal(await lumen.snapshot(), before);
  });

  test('LUMEN_API_KEY_MAX_DAYS caps expiresAt (saying the limit) and is the lifetime of a key given none', async () => {
    const client = await lumen.client(admin);
    const user = await lumen.user();
    await withMaxDays('30', async () => {
      assert.equal(assertOk(await lumen.gql(MAX_DAYS, {}, user)).apiKeyMaxDays, 30);
      for (const [as, c] of [
        [admin, client.globalId],
        [user, undefined],
      ] as const) {
        const tooLate = await lumen.gql(CREATE, { c, n: 'too long', e: inDays(31).toISOString() }, as);
        assertErrorCode(tooLate, 'BAD_USER_INPUT');
        assert.match(tooLate.errors![0].message, /at most 30 days ahead .*LUMEN_API_KEY_MAX_DAYS/);
        assert.equal(tooLate.errors![0].extensions?.field, 'expiresAt');

        const within = inDays(29);
        const ok = assertOk(await lumen.gql(CREATE, { c, n: 'within', e: within.toISOString() }, as));
        assert.equal(ok.createApiKey.apiKey.expiresAt, within.toISOString());

        // Left out or null: the longest lifetime, counted from its creation.
        for (const e of [undefined, null]) {
          const from = Date.now();
          const created = assertOk(await lumen.gql(CREATE, { c, n: 'default', e }, as));
          const expiresAt = Date.parse(created.createApiKey.apiKey.expiresAt!);
          assert.ok(expiresAt >= inDays(30, from).getTime() && expiresAt <= inDays(30).getTime(), created.createApiKey.apiKey.expiresAt!);
        }
      }
    });
    assert.equal(assertOk(await lumen.gql(MAX_DAYS, {}, user)).apiKeyMaxDays, null);
  });
});

describe('/v1', () => {
  const hello = [{ role: 'user' as const, content: 'Hello' }];

  test('an expired key gets 401 expired_api_key with the date and where to make a new key', async () => {
    const m = await model(admin);
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'UNLIMITED' });
    const user = await lumen.user();
    const clientKey = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'c', expiresAt: inDays(10) });
    const personalKey = await createApiKey(user.viewer, { userId: user.id }, { name: 'p', expiresAt: inDays(10) });
    const lasting = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'lasting' });
    // Straight in the database, rather than waiting: these keys expired a minute ago (and were never cached).
    const expiredAt = new Date(Date.now() - 60_000);
    await lumen.prisma.apiKey.updateMany({
      where: { id: { in: [clientKey.apiKey.id, personalKey.apiKey.id] } },
      data: { expiresAt: expiredAt },
    });

    const forClient = await refusal(openai(clientKey.secret).chat.completions.create({ model: m.name, messages: hello }));
    assert.equal(forClient.status, 401);
    assert.equal(forClient.code, 'expired_api_key');
    assert.equal(forClient.type, 'invalid_request_error');
    assert.match(forClient.message, new RegExp(`${clientKey.apiKey.hint.replace(/\./g, '\\.')} expired on ${expiredAt.toISOString()}`));
    assert.ok(
      forClient.message.includes(`create a new one on the client's page (http://lumen.test/clients/${gid('Client', client.id)})`),
      forClient.message,
    );

    const forUser = await refusal(openai(personalKey.secret).models.list());
    assert.equal(forUser.status, 401);
    assert.equal(forUser.code, 'expired_api_key');
    assert.ok(forUser.message.includes(expiredAt.toISOString()), forUser.message);
    assert.ok(forUser.message.includes('create a new personal key on your Profile page (http://lumen.test/profile)'), forUser.message);

    // The owner's other keys carry on.
    const answer = await openai(lasting.secret).chat.completions.create({ model: m.name, messages: hello });
    assert.equal(answer.choices[0].message.content, 'Hello');

    // Revoked and expired: the revocation is what it is told.
    await revokeApiKey(admin.viewer, clientKey.apiKey.id);
    assert.equal((await refusal(openai(clientKey.secret).models.list())).code, 'revoked_api_key');
  });

  test('a cached key expires on time, with no database read', async (t) => {
    const m = await model(admin);
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'UNLIMITED' });
    // Later than the first request can take, and sooner than the cache's minute from it.
    const expiresAt = new Date(Date.now() + 45_000);
    const key = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'short', expiresAt });
    // A first request while it is valid puts the key in /v1's cache (kept 60 s).
    await openai(key.secret).chat.completions.create({ model: m.name, messages: hello });
    // The clock, not Lumen, is what is faked: it reads a millisecond past the expiry (still within the cache's minute).
    t.mock.timers.enable({ apis: ['Date'], now: expiresAt.getTime() + 1 });
    try {
      const { result, statements } = await lumen.countQueries(() =>
        refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello })),
      );
      assert.equal(result.status, 401);
      assert.equal(result.code, 'expired_api_key');
      assert.ok(result.message.includes(expiresAt.toISOString()), result.message);
      // (The first request's settlement may still be writing in the background: only reads of keys count here.)
      const keyReads = statements.filter((sql) => /^SELECT\b[\s\S]*\bFROM "public"\."ApiKey"/.test(sql));
      assert.deepEqual(keyReads, [], 'the expiry came from the cached key');
    } finally {
      t.mock.timers.reset();
    }
  });
});

const EVENTS = graphql(`
  subscription ApiKeyExpiry_ClientUsage($id: ID!) {
    clientUsage(clientId: $id) {
      change
      apiKey {
        name
        expiresAt
      }
    }
  }
`);

async function subscribe(clientId: { id: string; globalId: string }) {
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: EVENTS, variables: { id: clientId.globalId } }),
  });
  const events = new SseReader<ResultOf<typeof EVENTS>>(response);
  // The stream opens before the subscription is registered; wait for it rather than lose the first event.
  for (let i = 0; i < 200 && subscriberCount({ clientId: clientId.id, userId: null }) === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(subscriberCount({ clientId: clientId.id, userId: null }), 1);
  return events;
}

describe('KEY_EXPIRING', () => {
  test('sent 7 days and 1 day before the expiry, once each, though two instances run the job at the same moment', async () => {
    const client = await lumen.client(admin);
    const user = await lumen.user();
    // Far beyond the other tests' keys, so that the job's counts here are this test's keys only.
    const expiry = inDays(400);
    const events = await subscribe(client);
    try {
      await createApiKey(admin.viewer, { clientId: client.id }, { name: 'yearly', expiresAt: expiry });
      const revoked = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'revoked', expiresAt: expiry });
      await revokeApiKey(admin.viewer, revoked.apiKey.id);
      const personal = await createApiKey(user.viewer, { userId: user.id }, { name: 'personal', expiresAt: expiry });
      const at = (msBeforeExpiry: number) => new Date(expiry.getTime() - msBeforeExpiry);
      // Two instances at once (on PostgreSQL, on two connections): each notice is claimed by one of them.
      const twice = async (now: Date) => (await Promise.all([sendExpiryNotices(now), sendExpiryNotices(now)])).reduce((a, b) => a + b);

      assert.equal(await twice(at(8 * DAY_MS)), 0, 'more than 7 days before: nothing');
      assert.equal(await twice(at(7 * DAY_MS - 60_000)), 2, '7 days before: the client key and the personal key, not the revoked one');
      assert.equal(await twice(at(6 * DAY_MS)), 0, 'sent already');
      assert.equal(await twice(at(DAY_MS + 60_000)), 0);
      assert.equal(await twice(at(DAY_MS - 60_000)), 2, '1 day before');
      assert.equal(await twice(at(60_000)), 0, 'sent already');
      assert.equal(await twice(at(-60_000)), 0, 'expired: nothing more');
      const personalRow = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: personal.apiKey.id } });
      assert.ok(personalRow.weekNoticeAt && personalRow.dayNoticeAt);

      // A last, unrelated event closes the list: nothing else was delivered in between.
      await createApiKey(admin.viewer, { clientId: client.id }, { name: 'marker' });
      const seen: [string, string | undefined, string | null | undefined][] = [];
      for (;;) {
        const event = (await events.next())?.data?.clientUsage;
        assert.ok(event);
        seen.push([event.change, event.apiKey?.name, event.apiKey?.expiresAt]);
        if (event.apiKey?.name === 'marker') break;
      }
      assert.deepEqual(seen, [
        ['KEY_CREATED', 'yearly', expiry.toISOString()],
        ['KEY_CREATED', 'revoked', expiry.toISOString()],
        ['KEY_REVOKED', 'revoked', expiry.toISOString()],
        ['KEY_EXPIRING', 'yearly', expiry.toISOString()],
        ['KEY_EXPIRING', 'yearly', expiry.toISOString()],
        ['KEY_CREATED', 'marker', null],
      ]);
    } finally {
      await events.close();
    }
  });

  test('a key first seen within a day of its expiry gets the 1-day notice only', async () => {
    const client = await lumen.client(admin);
    const expiry = inDays(500);
    const key = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'late start', expiresAt: expiry });
    assert.equal(await sendExpiryNotices(new Date(expiry.getTime() - DAY_MS / 2)), 1);
    assert.equal(await sendExpiryNotices(new Date(expiry.getTime() - DAY_MS / 4)), 0);
    const row = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: key.apiKey.id } });
    assert.equal(row.weekNoticeAt, null);
    assert.ok(row.dayNoticeAt);
  });

  test('each threshold is one claiming statement', async () => {
    const { statements } = await lumen.countQueries(() => sendExpiryNotices(inDays(900)));
    assert.equal(statements.length, 2, statements.join('\n'));
    for (const sql of statements) assert.match(sql, /^UPDATE .*"ApiKey".* RETURNING/s);
  });
});
