// GraphQL hardening: query limits, CSRF protection for cookie sessions, body size,
// rate limits, masked errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLoginLink } from '../src/domain/auth.ts';
import { GRAPHQL_LIMITS, RATE_LIMITS } from '../src/http/limits.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => {
  resetRateLimits();
  return lumen.close();
});

test('deep, aliased and huge queries are refused before they run', async () => {
  const deep = '{ viewer { apiKeys { edges { node { id name } } } } }';
  assertOk(await lumen.gql(deep, {}, admin));
  // Our schema has no cycles deep enough, so the document is nonsense below the top; depth is counted all the same.
  let nested = 'id';
  for (let i = 0; i < GRAPHQL_LIMITS.maxDepth + 1; i++) nested = `a { ${nested} }`;
  const tooDeep = await lumen.gql(`{ ${nested} }`, {}, admin);
  assert.ok(
    tooDeep.errors?.some((e) => /depth/i.test(e.message)),
    JSON.stringify(tooDeep.errors),
  );
  const aliases = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 5 }, (_, i) => `a${i}: viewer { id }`).join(' ');
  const tooManyAliases = await lumen.gql(`{ ${aliases} }`, {}, admin);
  assert.ok(
    tooManyAliases.errors?.some((e) => /alias/i.test(e.message)),
    JSON.stringify(tooManyAliases.errors),
  );
  const tokens = Array.from({ length: GRAPHQL_LIMITS.maxTokens }, () => 'id').join(' ');
  const tooManyTokens = await lumen.gql(`{ viewer { ${tokens} } }`, {}, admin);
  assert.ok(
    tooManyTokens.errors?.some((e) => /token/i.test(e.message)),
    JSON.stringify(tooManyTokens.errors),
  );
  // Nothing broke: the server still answers.
  assertOk(await lumen.gql('{ viewer { email } }', {}, admin));
});

test('a cookie session needs the anti-CSRF header; tokens do not', async () => {
  const { url } = await createLoginLink(admin.email, 'http://lumen.test');
  const signIn = await lumen.fetch(new URL(url).pathname + new URL(url).search, { redirect: 'manual' });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
  const withoutHeader = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ query: 'mutation { createClient(input: { name: "via CSRF" }) { client { id } } }' }),
  });
  assert.equal(withoutHeader.status, 403);
  const body = (await withoutHeader.json()) as GqlResult;
  assert.equal(body.errors?.[0].extensions?.code, 'FORBIDDEN');
  assert.match(body.errors?.[0].message ?? '', /x-lumen-csrf/);
  assert.equal(await lumen.prisma.client.count({ where: { name: 'via CSRF' } }), 0);
  assertOk(await lumen.gql('{ viewer { email } }', {}, { cookie }));
  assertOk(await lumen.gql('{ viewer { email } }', {}, admin));
});

test('oversized bodies are refused with 413', async () => {
  const big = JSON.stringify({ query: `{ viewer { email } }`, variables: { pad: 'x'.repeat(GRAPHQL_LIMITS.maxBodyBytes) } });
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(big)),
      authorization: `Bearer ${admin.token}`,
    },
    body: big,
  });
  assert.equal(response.status, 413);
});

test('key creation is rate limited per user', async () => {
  resetRateLimits();
  const client = await lumen.client(admin);
  let refused = 0;
  for (let i = 0; i < RATE_LIMITS.keyCreation.points + 3; i++) {
    const result = await lumen.gql(
      `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "k" }) { secret } }`,
      { c: client.globalId },
      admin,
    );
    if (result.errors) {
      assert.equal(result.errors[0].extensions?.code, 'RATE_LIMITED');
      refused++;
    }
  }
  assert.equal(refused, 3);
  assert.equal(await lumen.prisma.apiKey.count({ where: { clientId: client.id } }), RATE_LIMITS.keyCreation.points);
  // Another user has a bucket of their own.
  const other = await lumen.user({ admin: true });
  assertOk(
    await lumen.gql(`mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "k" }) { secret } }`, { c: client.globalId }, other),
  );
  resetRateLimits();
});

test('sign-in attempts are rate limited', async () => {
  resetRateLimits();
  const statuses: number[] = [];
  for (let i = 0; i < RATE_LIMITS.signIn.points + 2; i++) {
    statuses.push((await lumen.fetch('/auth/login?token=lnk_nonsense', { redirect: 'manual' })).status);
  }
  assert.deepEqual(statuses.slice(0, RATE_LIMITS.signIn.points), Array(RATE_LIMITS.signIn.points).fill(303));
  assert.deepEqual(statuses.slice(RATE_LIMITS.signIn.points), [429, 429]);
  resetRateLimits();
});

test('unexpected errors are masked: no stack, no SQL', async () => {
  // A user id that is a valid global id of a User but whose uuid Prisma cannot find is a domain error;
  // force a real internal failure instead by breaking the database connection's view of a table.
  await lumen.prisma.$executeRawUnsafe('ALTER TABLE "ClientManager" RENAME TO "ClientManagerGone"');
  try {
    const client = await lumen.client(admin);
    const result = await lumen.gql(`query($id: ID!) { client(id: $id) { managers { user { id } } } }`, { id: client.globalId }, admin);
    assertErrorCode(result, 'INTERNAL_SERVER_ERROR');
    const text = JSON.stringify(result.errors);
    assert.doesNotMatch(text, /ClientManager|SELECT|prisma|at \w+ \(/i);
  } finally {
    await lumen.prisma.$executeRawUnsafe('ALTER TABLE "ClientManagerGone" RENAME TO "ClientManager"');
  }
});
