// GET /export/usage.csv (issue 13): the usage series as RFC 4180 CSV, with GraphQL's
// permissions, the session cookie accepted alone (a download link cannot send headers),
// no CORS headers, formula cells neutralised, and long ranges streamed a slice at a time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { exact } from '../src/domain/coins.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, sum, unlimitedClient } from './support/v1.ts';
import { addClientManager } from '../src/domain/clients.ts';

let lumen: TestLumen;
let admin: TestUser;
let manager: TestUser;
let stranger: TestUser;
let client: { id: string; globalId: string; name: string };
const DAY = 86_400_000;
const from = new Date(Date.now() - DAY).toISOString();
const to = new Date(Date.now() + DAY).toISOString();

before(async () => {
  lumen = await startLumen({ LUMEN_CORS_ORIGINS: 'https://dashboard.example' });
  admin = await lumen.user({ admin: true });
  manager = await lumen.user();
  stranger = await lumen.user();
  const made = await unlimitedClient(lumen, admin);
  client = made.client;
  await addClientManager(admin.viewer, client.id, manager.id);
  const formula = await clientKey(admin, client.id, '=HYPERLINK("https://evil.example","click")');
  const [a, b] = [await model(admin), await model(admin, { inputCoinsPerMillion: '0.5' })];
  for (let i = 0; i < 6; i++) {
    const secret = i % 2 ? made.key.secret : formula.secret;
    await openai(secret).chat.completions.create({ model: (i % 3 ? a : b).name, messages: [{ role: 'user', content: `row ${i}` }] });
  }
});
after(() => lumen.close());

const exportUrl = (params: Record<string, string>) => `/export/usage.csv?${new URLSearchParams(params)}`;
const download = (params: Record<string, string>, headers: Record<string, string> = {}) => lumen.fetch(exportUrl(params), { headers });
const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });

const Totals = graphql(`
  query UsageExport_Totals($id: ID!) {
    client(id: $id) {
      usage {
        requests
        inputTokens
        outputTokens
        coinsSpent
      }
    }
  }
`);

describe('the CSV', () => {
  test("its totals equal GraphQL's; a header row, CRLF lines, exact decimal coins, an attachment", async () => {
    const response = await download({ owner: client.globalId, from, to, bucket: 'HOUR', groupBy: 'MODEL' }, bearer(manager));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/csv; charset=utf-8/);
    assert.match(
      response.headers.get('content-disposition')!,
      /^attachment; filename="usage-Client-\d+-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const body = await response.text();
    assert.ok(body.endsWith('\r\n'));
    const rows = parse(body, { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]), [
      'start',
      'model',
      'model_id',
      'requests',
      'input_tokens',
      'output_tokens',
      'total_tokens',
      'coins_spent',
    ]);
    const { usage } = (await lumen.gql(Totals, { id: client.globalId }, admin)).data!.client!;
    assert.equal(usage.requests, 6);
    assert.equal(
      rows.reduce((n, r) => n + Number(r.requests), 0),
      usage.requests,
    );
    assert.equal(
      rows.reduce((n, r) => n + Number(r.input_tokens), 0),
      usage.inputTokens,
    );
    assert.equal(sum(rows.map((r) => r.coins_spent)).toString(), exact(usage.coinsSpent as string).toString());
    for (const row of rows) {
      assert.match(row.coins_spent, /^\d+(\.\d+)?$/, 'coins are plain decimals, never exponent forms');
      assert.equal(Number(row.total_tokens), Number(row.input_tokens) + Number(row.output_tokens));
    }
  });

  test('a key name that a spreadsheet would run as a formula is written as text', async () => {
    const response = await download({ owner: client.globalId, from, to, bucket: 'DAY', groupBy: 'API_KEY' }, bearer(admin));
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    const names = new Set(rows.map((r) => r.api_key));
    assert.ok(names.has(`'=HYPERLINK("https://evil.example","click")`), [...names].join(' | '));
    assert.ok(![...names].some((name) => /^[=+\-@]/.test(name)));
  });

  test('a long range streams: three years of hours arrive in many chunks and still sum to the totals', async () => {
    const response = await download(
      { owner: client.globalId, from: new Date(Date.now() - 3 * 365 * DAY).toISOString(), to, bucket: 'HOUR' },
      bearer(admin),
    );
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let body = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      body += decoder.decode(value, { stream: true });
    }
    const rows = parse(body, { columns: true }) as Record<string, string>[];
    assert.ok(rows.length > 26_000, `${rows.length} rows`);
    assert.ok(chunks > 20, `${chunks} chunks: the slices of 500 hours each came as they were read`);
    assert.equal(
      rows.reduce((n, r) => n + Number(r.requests), 0),
      6,
    );
  });
});

describe('who may download, and how', () => {
  test('the session cookie alone works (a download link sends no CSRF header); no CORS headers for any origin', async () => {
    const { cookie } = await lumen.session(manager);
    for (const origin of ['https://evil.example', 'https://dashboard.example']) {
      const response = await download({ owner: client.globalId, from, to }, { cookie, origin });
      assert.equal(response.status, 200);
      assert.deepEqual(
        [...response.headers.keys()].filter((name) => name.startsWith('access-control-')),
        [],
        `CORS headers for ${origin}`,
      );
      await response.body?.cancel();
    }
  });

  test('refusals: nobody 401, a model key 401, a stranger 404 (as for GraphQL), wrong method 405', async () => {
    assert.equal((await download({ owner: client.globalId, from, to })).status, 401);
    const withModelKey = await download({ owner: client.globalId, from, to }, { authorization: 'Bearer sk_not_for_this' });
    assert.equal(withModelKey.status, 401);
    assert.match(await withModelKey.text(), /works only with \/v1/);
    const strangers = await download({ owner: client.globalId, from, to }, bearer(stranger));
    assert.equal(strangers.status, 404);
    const strangerCookie = await lumen.session(stranger);
    assert.equal((await download({ owner: client.globalId, from, to }, strangerCookie)).status, 404);
    assert.equal((await download({ owner: admin.globalId, from, to }, bearer(stranger))).status, 404);
    const own = await download({ owner: stranger.globalId, from, to }, bearer(stranger));
    assert.equal(own.status, 200);
    assert.equal((await own.text()).split('\r\n')[0], 'start,requests,input_tokens,output_tokens,total_tokens,coins_spent');
    const post = await lumen.fetch(exportUrl({ owner: client.globalId, from, to }), { method: 'POST', headers: bearer(admin) });
    assert.equal(post.status, 405);
  });

  test('bad parameters are 400 with a message a person can act on', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ from, to, bucket: 'MONTH' }, /bucket must be one of HOUR, DAY, WEEK/],
      [{ to }, /from must be an ISO 8601 date-time/],
      [{ from, to, groupBy: 'CLIENT' }, /groupBy must be one of MODEL, API_KEY/],
      [{ from: to, to: from }, /to must be after from/],
      [{ from: '1900-01-01T00:00:00Z', to, bucket: 'HOUR' }, /at most 200000 points/],
      [{ from, to, timeZone: 'Nowhere/Place' }, /IANA time zone/],
    ];
    for (const [params, message] of cases) {
      const response = await download({ owner: client.globalId, ...params }, bearer(admin));
      assert.equal(response.status, 400, JSON.stringify(params));
      assert.match(await response.text(), message);
    }
  });
});
