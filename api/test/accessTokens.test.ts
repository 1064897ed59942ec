// Admin-API tokens (lat_...) as people manage them: listed, created with the secret
// shown once, revoked at once, expiring; a revoked or expired token is told why it
// is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCESS_TOKEN_MAX_DAYS } from '../src/domain/auth.ts';
import { onInvalidation, type InvalidationEvent } from '../src/events/bus.ts';
import { RATE_LIMITS } from '../src/http/limits.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

const DAY_MS = 24 * 3600 * 1000;

const LIST = graphql(`
  query AccessTokens_List {
    viewer {
      accessTokens {
        id
        name
        hint
        createdAt
        lastUsedAt
        expiresAt
        current
      }
    }
  }
`);
const CREATE = graphql(`
  mutation AccessTokens_Create($input: CreateAccessTokenInput!) {
    createAccessToken(input: $input) {
      secret
      accessToken {
        id
        name
        hint
        createdAt
        lastUsedAt
        expiresAt
        current
      }
    }
  }
`);
const REVOKE = graphql(`
  mutation AccessTokens_Revoke($id: ID!) {
    revokeAccessToken(input: { id: $id }) {
      accessToken {
        id
        name
      }
    }
  }
`);

interface TokenRow {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  current: boolean;
}

let lumen: TestLumen;
let admin: TestUser;

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

/** Signs the user in with a browser session and creates a token there, as the Profile page does. */
async function createToken(user: TestUser, input: { name: string; expiresAt?: string | null }) {
  const session = await lumen.session(user);
  const data = assertOk(await lumen.gql(CREATE, { input }, session));
  return data.createAccessToken as { secret: string; accessToken: TokenRow };
}

/** POST /graphql with a bearer token; the raw response, for its status. */
async function callWith(token: string) {
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  return { status: response.status, body: (await response.json()) as GqlResult<{ viewer: { email: string } }> };
}

test('a signed-in person creates a token: the secret is shown once, afterwards only its hint', async () => {
  const user = await lumen.user();
  const session = await lumen.session(user);
  const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
  const { secret, accessToken } = await createToken(user, { name: 'backup script', expiresAt });
  assert.match(secret, /^lat_[A-Za-z0-9_-]{49}$/);
  assert.equal(accessToken.name, 'backup script');
  assert.equal(accessToken.hint, `${secret.slice(0, 4)}...${secret.slice(-4)}`);
  assert.equal(accessToken.expiresAt, expiresAt);
  assert.equal(accessToken.lastUsedAt, null);

  const listed = assertOk(await lumen.gql(LIST, {}, session)).viewer.accessTokens as TokenRow[];
  // Newest first: the new one, then the one lumen.user() made.
  assert.deepEqual(
    listed.map((t) => t.name),
    ['backup script', 'test'],
  );
  assert.deepEqual(listed[0], accessToken);
  assert.ok(!JSON.stringify(listed).includes(secret.slice(4, -4)), 'the list shows more of the secret than its hint');
  const audit = await lumen.prisma.auditEntry.findFirstOrThrow({
    where: {
      action: 'accessToken.create',
      targetId: (await lumen.prisma.accessToken.findFirstOrThrow({ where: { name: 'backup script', userId: user.id } })).id,
    },
  });
  assert.equal(audit.actorId, user.id);
  assert.ok(!JSON.stringify(audit.details).includes(secret), 'the audit log holds the secret');

  // The token works, and stands for its owner.
  const used = await callWith(secret);
  assert.equal(used.status, 200);
  assert.equal(used.body.data?.viewer.email, user.email);
});

test('current is true only for the token the request is authenticated with', async () => {
  const user = await lumen.user();
  const { secret, accessToken } = await createToken(user, { name: 'laptop' });
  const viaNew = assertOk(await lumen.gql(LIST, {}, { token: secret })).viewer.accessTokens as TokenRow[];
  assert.deepEqual(
    viaNew.map((t) => [t.name, t.current]),
    [
      ['laptop', true],
      ['test', false],
    ],
  );
  const viaOld = assertOk(await lumen.gql(LIST, {}, user)).viewer.accessTokens as TokenRow[];
  assert.deepEqual(
    viaOld.map((t) => [t.name, t.current]),
    [
      ['laptop', false],
      ['test', true],
    ],
  );
  const viaSession = assertOk(await lumen.gql(LIST, {}, await lumen.session(user))).viewer.accessTokens as TokenRow[];
  assert.ok(
    viaSession.every((t) => !t.current),
    'a session is no token',
  );
  // Using the token set lastUsedAt.
  assert.ok(viaOld.find((t) => t.id === accessToken.id)!.lastUsedAt, 'lastUsedAt was not set by a request with the token');
});

test('a revoked token is refused at once with 401 saying when it was revoked', async () => {
  const user = await lumen.user();
  const { secret, accessToken } = await createToken(user, { name: 'ci' });
  assert.equal((await callWith(secret)).status, 200);
  const invalidations: InvalidationEvent[] = [];
  const stop = onInvalidation((event) => invalidations.push(event));
  try {
    const revoked = assertOk(await lumen.gql(REVOKE, { id: accessToken.id }, await lumen.session(user)));
    assert.equal(revoked.revokeAccessToken.accessToken.id, accessToken.id);
  } finally {
    stop();
  }
  assert.deepEqual(
    invalidations.map((e) => e.reason),
    ['access token revoked'],
    'cached verdicts were not told to drop',
  );

  const row = await lumen.prisma.accessToken.findUniqueOrThrow({ where: { id: idOf(accessToken.id) } });
  const refused = await callWith(secret);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  assert.match(
    refused.body.errors![0].message,
    new RegExp(`^This admin-API token was revoked on ${escape(row.revokedAt!.toISOString())}; create a new one`),
  );
  // Gone from the list; the revocation is in the audit log.
  const listed = assertOk(await lumen.gql(LIST, {}, user)).viewer.accessTokens as TokenRow[];
  assert.deepEqual(
    listed.map((t) => t.name),
    ['test'],
  );
  const audit = await lumen.prisma.auditEntry.findFirstOrThrow({ where: { action: 'accessToken.revoke', targetId: row.id } });
  assert.equal(audit.actorId, user.id);
});

test('an expired token is refused with 401 saying when it expired, and stays listed until revoked', async () => {
  const user = await lumen.user();
  const { secret, accessToken } = await createToken(user, { name: 'short-lived', expiresAt: new Date(Date.now() + DAY_MS).toISOString() });
  assert.equal((await callWith(secret)).status, 200);
  const expiredAt = new Date(Date.now() - 1000);
  await lumen.prisma.accessToken.update({ where: { id: idOf(accessToken.id) }, data: { expiresAt: expiredAt } });

  const refused = await callWith(secret);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  assert.match(
    refused.body.errors![0].message,
    new RegExp(`^This admin-API token expired on ${escape(expiredAt.toISOString())}; create a new one`),
  );

  const listed = assertOk(await lumen.gql(LIST, {}, user)).viewer.accessTokens as TokenRow[];
  assert.equal(listed.find((t) => t.id === accessToken.id)?.expiresAt, expiredAt.toISOString());
  assertOk(await lumen.gql(REVOKE, { id: accessToken.id }, user));
  assert.match((await callWith(secret)).body.errors![0].message, /was revoked on/);
});

test('an unknown token is told so, without a word about revocation or expiry', async () => {
  const { secret } = await createToken(await lumen.user(), { name: 'x' });
  const forged = `${secret.slice(0, -7)}${secret.at(-7) === 'A' ? 'B' : 'A'}${secret.slice(-6)}`;
  const refused = await callWith(forged);
  assert.equal(refused.status, 401);
  assert.match(refused.body.errors![0].message, /^The admin-API token is unknown or mistyped/);
});

test('revoking a token twice, someone else’s, or one that does not exist gives the same BAD_USER_INPUT', async () => {
  const owner = await lumen.user();
  const stranger = await lumen.user();
  const { accessToken: theirs } = await createToken(owner, { name: 'theirs' });
  const { accessToken: mine } = await createToken(stranger, { name: 'mine' });
  assertOk(await lumen.gql(REVOKE, { id: mine.id }, stranger));

  const before = await lumen.snapshot();
  const missing = gid('AccessToken', '01900000-0000-7000-8000-000000000000');
  const messages: string[] = [];
  for (const id of [theirs.id, mine.id, missing]) {
    const result = await lumen.gql(REVOKE, { id }, stranger);
    assertErrorCode(result, 'BAD_USER_INPUT', /^No access token with id /);
    assert.equal(result.errors![0].extensions?.field, 'id');
    messages.push(result.errors![0].message.replace(/[0-9a-f-]{36}/, '<id>'));
  }
  assert.equal(new Set(messages).size, 1, `the answers differ, telling which tokens exist: ${messages.join(' | ')}`);
  assert.equal(await lumen.snapshot(), before, 'a refused revocation changed something');
  // The owner's token still works.
  const owned = await lumen.prisma.accessToken.findUniqueOrThrow({ where: { id: idOf(theirs.id) } });
  assert.equal(owned.revokedAt, null);
});

test('admins see and revoke other people’s tokens; others may not see them', async () => {
  const owner = await lumen.user();
  const stranger = await lumen.user();
  const { secret, accessToken } = await createToken(owner, { name: 'owned' });
  const query = graphql(`
    query AccessTokens_OfUser($id: ID!) {
      node(id: $id) {
        ... on User {
          email
          accessTokens {
            id
            name
            current
          }
        }
      }
    }
  `);

  const seen = assertOk(await lumen.gql(query, { id: owner.globalId }, admin)).node;
  assert.ok(seen && 'accessTokens' in seen, 'the admin does not see the user');
  assert.deepEqual(
    seen.accessTokens.map((t) => [t.name, t.current]),
    [
      ['owned', false],
      ['test', false],
    ],
  );

  const refused = await lumen.gql(query, { id: owner.globalId }, stranger);
  assert.ok(!JSON.stringify(refused.data ?? {}).includes(accessToken.id), 'a stranger saw the token');
  if (refused.errors) assertErrorCode(refused, 'FORBIDDEN');
  else assert.equal(refused.data?.node, null);

  // The token as a node: its owner and admins see it, anyone else gets null.
  const node = graphql(`
    query AccessTokens_Node($id: ID!) {
      node(id: $id) {
        ... on AccessToken {
          name
        }
      }
    }
  `);
  assert.equal(assertOk(await lumen.gql(node, { id: accessToken.id }, owner)).node?.name, 'owned');
  assert.equal(assertOk(await lumen.gql(node, { id: accessToken.id }, admin)).node?.name, 'owned');
  assert.equal(assertOk(await lumen.gql(node, { id: accessToken.id }, stranger)).node, null);

  assertOk(await lumen.gql(REVOKE, { id: accessToken.id }, admin));
  assert.equal((await callWith(secret)).status, 401);
  const audit = await lumen.prisma.auditEntry.findFirstOrThrow({ where: { action: 'accessToken.revoke', targetId: idOf(accessToken.id) } });
  assert.equal(audit.actorId, admin.id, 'the audit log names the admin');
});

test('a token cannot create tokens (a leaked one could outlive its expiry and revocation)', async () => {
  const user = await lumen.user();
  const before = await lumen.snapshot();
  const result = await lumen.gql(CREATE, { input: { name: 'successor' } }, user);
  assertErrorCode(result, 'FORBIDDEN', /Profile page .* `lumen token create`/);
  assert.equal(await lumen.snapshot(), before);
});

test('expiresAt must be in the future and at most five years ahead; null means never', async () => {
  const user = await lumen.user();
  const session = await lumen.session(user);
  const before = await lumen.snapshot();
  for (const [expiresAt, message] of [
    [new Date(Date.now() - 60_000).toISOString(), /expiresAt must be in the future/],
    [new Date(Date.now() + (ACCESS_TOKEN_MAX_DAYS + 1) * DAY_MS).toISOString(), /at most 1826 days/],
  ] as const) {
    const result = await lumen.gql(CREATE, { input: { name: 'x', expiresAt } }, session);
    assertErrorCode(result, 'BAD_USER_INPUT', message);
    assert.equal(result.errors![0].extensions?.field, 'expiresAt');
  }
  assertErrorCode(await lumen.gql(CREATE, { input: { name: 'x', expiresAt: 'next tuesday' } }, session), 'BAD_USER_INPUT');
  assert.equal(await lumen.snapshot(), before, 'a refused creation changed something');

  const never = await createToken(user, { name: 'forever', expiresAt: null });
  assert.equal(never.accessToken.expiresAt, null);
  const longest = new Date(Date.now() + (ACCESS_TOKEN_MAX_DAYS - 1) * DAY_MS).toISOString();
  assert.equal((await createToken(user, { name: 'long', expiresAt: longest })).accessToken.expiresAt, longest);
});

test('token creation shares the key-creation rate limit', async () => {
  resetRateLimits();
  try {
    const user = await lumen.user();
    const session = await lumen.session(user);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i <= RATE_LIMITS.keyCreation.points; i++) {
      const result = await lumen.gql(CREATE, { input: { name: `t${i}` } }, session);
      codes.push(result.errors?.[0].extensions?.code);
    }
    assert.deepEqual(codes.slice(0, -1), Array(RATE_LIMITS.keyCreation.points).fill(undefined));
    assert.equal(codes.at(-1), 'RATE_LIMITED');
    assert.equal(await lumen.prisma.accessToken.count({ where: { userId: user.id } }), RATE_LIMITS.keyCreation.points + 1);
  } finally {
    resetRateLimits();
  }
});

function idOf(globalId: string): string {
  return Buffer.from(globalId, 'base64')
    .toString('utf8')
    .replace(/^AccessToken:/, '');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
