// CORS: a page on another origin (even a sibling of the same site) gets no CORS
// headers, so the browser neither sends it a cookie-authenticated request with
// x-lumen-csrf nor lets it read an answer. Only LUMEN_CORS_ORIGINS get credentialed CORS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createLoginLink } from '../src/domain/auth.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type GqlResult, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';

const CONFIGURED = 'https://dashboard.example.org';
const SIBLING = 'http://evil.lumen.test';

let lumen: TestLumen;
let admin: TestUser;
let cookie: string;
before(async () => {
  lumen = await startLumen({ LUMEN_CORS_ORIGINS: `${CONFIGURED}, http://localhost:5173` });
  admin = await lumen.user({ admin: true });
  const { url } = await createLoginLink(admin.email, 'http://lumen.test');
  const signIn = await lumen.fetch(new URL(url).pathname + new URL(url).search, { redirect: 'manual' });
  cookie = signIn.headers.get('set-cookie')!.split(';')[0];
});
after(() => {
  resetRateLimits();
  return lumen.close();
});

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
];

function corsHeadersOf(response: Response): Record<string, string> {
  return Object.fromEntries(CORS_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
}

const preflight = (path: string, origin: string) =>
  lumen.fetch(path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-lumen-csrf' },
  });

const CREATE_KEY = graphql(`
  mutation Cors_CreateApiKey($c: ID!) {
    createApiKey(input: { clientId: $c, name: "cors" }) {
      secret
    }
  }
`);

const createKeyAs = (origin: string | null, clientId: string) =>
  lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-lumen-csrf': '1', ...(origin ? { origin } : {}) },
    body: JSON.stringify({
      query: String(CREATE_KEY),
      variables: { c: clientId },
    }),
  });

test('a foreign origin gets no CORS headers, on the preflight or on the answer', async () => {
  const client = await lumen.client(admin);
  const pre = await preflight('/graphql', SIBLING);
  assert.deepEqual(corsHeadersOf(pre), {}, 'the preflight must not allow the request');
  // Were the browser to send it anyway, it would not let the page read the secret.
  const answer = await createKeyAs(SIBLING, client.globalId);
  assert.deepEqual(corsHeadersOf(answer), {});
});

test("Lumen's own UI (same origin) is not affected", async () => {
  const client = await lumen.client(admin);
  const answer = await createKeyAs('http://lumen.test', client.globalId);
  assert.equal(answer.status, 200);
  assert.match(((await answer.json()) as GqlResult<ResultOf<typeof CREATE_KEY>>).data?.createApiKey.secret ?? '', /^sk_/);
  // Same-origin needs no CORS: none is sent.
  assert.deepEqual(corsHeadersOf(answer), {});
});

test('an origin in LUMEN_CORS_ORIGINS gets CORS with credentials', async () => {
  const pre = await preflight('/graphql', CONFIGURED);
  assert.equal(pre.headers.get('access-control-allow-origin'), CONFIGURED);
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-lumen-csrf/);
  const client = await lumen.client(admin);
  const answer = await createKeyAs(CONFIGURED, client.globalId);
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get('access-control-allow-origin'), CONFIGURED);
  assert.equal(answer.headers.get('access-control-allow-credentials'), 'true');
  // The answer depends on Origin: shared caches must not hand one origin's answer to another.
  assert.match(answer.headers.get('vary') ?? '', /origin/i);
  assert.match((await createKeyAs(SIBLING, client.globalId)).headers.get('vary') ?? '', /origin/i);
});

test('a token-authenticated script needs no Origin and no CORS', async () => {
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as GqlResult<{ viewer: { email: string } }>).data?.viewer.email, admin.email);
  assert.deepEqual(corsHeadersOf(response), {});
  assertOk(await lumen.gql('{ viewer { email } }', {}, admin));
});

test('/v1 follows the same rule', async () => {
  assert.deepEqual(corsHeadersOf(await preflight('/v1/chat/completions', SIBLING)), {});
  const foreign = await lumen.fetch('/v1/models', { headers: { origin: SIBLING, authorization: 'Bearer sk_nonsense' } });
  assert.equal(foreign.status, 401);
  assert.deepEqual(corsHeadersOf(foreign), {});
  const configured = await lumen.fetch('/v1/models', { headers: { origin: CONFIGURED, authorization: 'Bearer sk_nonsense' } });
  assert.equal(configured.headers.get('access-control-allow-origin'), CONFIGURED);
});

test('LUMEN_CORS_ORIGINS takes only exact origins', () => {
  const base = { NODE_ENV: 'test' };
  assert.deepEqual(loadConfig({ ...base, LUMEN_CORS_ORIGINS: 'https://a.example.org, http://localhost:5173' }).corsOrigins, [
    'https://a.example.org',
    'http://localhost:5173',
  ]);
  assert.deepEqual(loadConfig(base).corsOrigins, []);
  for (const bad of [
    '*',
    'https://*.example.org',
    'https://a.example.org/',
    'https://a.example.org/app',
    'a.example.org',
    'https://A.example.org',
    'ftp://a.example.org',
    'null',
  ]) {
    assert.throws(
      () => loadConfig({ ...base, LUMEN_CORS_ORIGINS: bad }),
      (error: Error) => error instanceof ConfigError && /LUMEN_CORS_ORIGINS/.test(error.message),
      bad,
    );
  }
});
