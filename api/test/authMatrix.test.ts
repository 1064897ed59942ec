// The authorization matrix, generated from the schema: every root field, called as
// each kind of caller. A new query, mutation or subscription without an entry here
// fails the first test, so nothing reaches production unguarded by accident.
import assert from 'node:assert/strict';
import { isObjectType } from 'graphql';
import { after, before, describe, test } from 'node:test';
import { createAccessToken } from '../src/domain/auth.ts';
import { schema } from '../src/schema/index.ts';
import { gid, startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';
import { caller, castOfRoles, managedClient, ROLES, type People, type Role } from './support/roles.ts';
import { SseReader } from './support/sse.ts';

const SIGNED_IN: Role[] = ['stranger', 'otherManager', 'manager', 'admin'];
const CLIENT_SIDE: Role[] = ['manager', 'admin'];
const ADMIN: Role[] = ['admin'];

interface Fixture {
  client: string;
  key: string;
  model: string;
  user: TestUser;
  /** A token of the fixture's user: for everyone but an admin, someone else's. */
  accessToken: string;
}

interface Expectation {
  allowed: Role[];
  /** How a refusal looks for signed-in callers: an error (FORBIDDEN) or a null answer. */
  refusal?: 'error' | 'null';
  op: (f: Fixture, self: TestUser | null) => { query: string; variables?: Record<string, unknown> };
}

const EXPECTATIONS: Record<string, Expectation> = {
  'Query.viewer': { allowed: SIGNED_IN, op: () => ({ query: '{ viewer { id } }' }) },
  'Query.viewerCan': { allowed: SIGNED_IN, op: () => ({ query: '{ viewerCan { createClient } }' }) },
  'Query.signInOptions': { allowed: ['anonymous', ...SIGNED_IN], op: () => ({ query: '{ signInOptions { oidc } }' }) },
  'Query.models': { allowed: SIGNED_IN, op: () => ({ query: '{ models { name } }' }) },
  'Query.apiKeyMaxDays': { allowed: SIGNED_IN, op: () => ({ query: '{ apiKeyMaxDays }' }) },
  'Query.instanceUsage': {
    allowed: ADMIN,
    op: () => ({
      query:
        '{ instanceUsage(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", bucket: DAY) { points { requests } topClients { usage { requests } } } }',
    }),
  },
  'Query.users': { allowed: ADMIN, op: () => ({ query: '{ users(search: "") { email } }' }) },
  'Query.clients': { allowed: SIGNED_IN, op: () => ({ query: '{ clients { totalCount } }' }) },
  'Query.client': {
    allowed: CLIENT_SIDE,
    refusal: 'null',
    op: (f) => ({ query: 'query($id: ID!) { client(id: $id) { name } }', variables: { id: f.client } }),
  },
  'Query.node': {
    allowed: CLIENT_SIDE,
    refusal: 'null',
    op: (f) => ({ query: 'query($id: ID!) { node(id: $id) { ... on Client { name } } }', variables: { id: f.client } }),
  },
  'Query.nodes': {
    allowed: CLIENT_SIDE,
    refusal: 'null',
    op: (f) => ({ query: 'query($id: ID!) { nodes(ids: [$id]) { ... on ApiKey { name } } }', variables: { id: f.key } }),
  },
  'Mutation.createClient': { allowed: ADMIN, op: () => ({ query: 'mutation { createClient(input: { name: "m" }) { client { id } } }' }) },
  'Mutation.setClientActive': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!) { setClientActive(input: { clientId: $c, active: true }) { client { id } } }',
      variables: { c: f.client },
    }),
  },
  'Mutation.addClientManager': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { id } } }',
      variables: { c: f.client, u: f.user.globalId },
    }),
  },
  'Mutation.removeClientManager': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!, $u: ID!) { removeClientManager(input: { clientId: $c, userId: $u }) { client { id } } }',
      variables: { c: f.client, u: f.user.globalId },
    }),
  },
  'Mutation.setClientCoinPool': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: UNLIMITED }) { client { id } } }',
      variables: { c: f.client },
    }),
  },
  'Mutation.setUserCoinPool': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($u: ID!) { setUserCoinPool(input: { userId: $u, state: UNLIMITED }) { user { id } } }',
      variables: { u: f.user.globalId },
    }),
  },
  'Mutation.setClientModelAccess': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!, $m: ID!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: DEFAULT }) { client { id } } }',
      variables: { c: f.client, m: f.model },
    }),
  },
  'Mutation.createModel': {
    allowed: ADMIN,
    op: (f) => ({
      query:
        'mutation($n: String!) { createModel(input: { name: $n, provider: "echo", upstreamModel: "e", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { id } } }',
      variables: { n: `m-${f.user.id}` },
    }),
  },
  'Mutation.updateModel': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($m: ID!) { updateModel(input: { modelId: $m, maxOutputTokens: 4096 }) { model { id } } }',
      variables: { m: f.model },
    }),
  },
  'Mutation.updateClient': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!) { updateClient(input: { clientId: $c, description: "d" }) { client { id } } }',
      variables: { c: f.client },
    }),
  },
  'Mutation.createUser': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($e: String!) { createUser(input: { email: $e, name: "N" }) { user { id } } }',
      variables: { e: `new-${f.user.id}@example.org` },
    }),
  },
  'Mutation.setUserActive': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($u: ID!) { setUserActive(input: { userId: $u, active: true }) { user { id } } }',
      variables: { u: f.user.globalId },
    }),
  },
  'Mutation.setUserAdmin': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: false }) { user { id } } }',
      variables: { u: f.user.globalId },
    }),
  },
  'Query.allUsers': { allowed: ADMIN, op: () => ({ query: '{ allUsers(first: 5) { totalCount edges { node { id } } } }' }) },
  'Mutation.createApiKey': {
    allowed: CLIENT_SIDE,
    op: (f) => ({ query: 'mutation($c: ID) { createApiKey(input: { clientId: $c, name: "k" }) { secret } }', variables: { c: f.client } }),
  },
  'Mutation.revokeApiKey': {
    allowed: CLIENT_SIDE,
    op: (f) => ({ query: 'mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }', variables: { id: f.key } }),
  },
  'Mutation.setApiKeyRateLimits': {
    allowed: CLIENT_SIDE,
    op: (f) => ({
      query: 'mutation($k: ID!) { setApiKeyRateLimits(input: { apiKeyId: $k, requestsPerMinute: 5 }) { apiKey { id } } }',
      variables: { k: f.key },
    }),
  },
  'Mutation.setClientRateLimits': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($c: ID!) { setClientRateLimits(input: { clientId: $c, requestsPerMinute: 100 }) { client { id } } }',
      variables: { c: f.client },
    }),
  },
  'Mutation.setClientBudgetAlerts': {
    allowed: CLIENT_SIDE,
    // No thresholds: alerts off, so the matrix needs no webhook receiver.
    op: (f) => ({
      query: 'mutation($c: ID!) { setClientBudgetAlerts(input: { clientId: $c, thresholdsPercent: [] }) { budgetAlerts { enabled } } }',
      variables: { c: f.client },
    }),
  },
  'Mutation.setUserRateLimits': {
    allowed: ADMIN,
    op: (f) => ({
      query: 'mutation($u: ID!) { setUserRateLimits(input: { userId: $u, requestsPerMinute: 100 }) { user { id } } }',
      variables: { u: f.user.globalId },
    }),
  },
  'Mutation.grantModelConsent': {
    allowed: CLIENT_SIDE,
    op: (f) => ({
      query: 'mutation($c: ID, $m: ID!) { grantModelConsent(input: { clientId: $c, modelId: $m }) { modelAccess { status } } }',
      variables: { c: f.client, m: f.model },
    }),
  },
  // Personal: every signed-in user acts for themselves.
  'Mutation.revokeSession': {
    allowed: SIGNED_IN,
    op: () => ({
      query:
        'mutation { revokeSession(input: { id: "U2Vzc2lvbjowMTkwMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA=" }) { revokedSessionId } }',
    }),
  },
  // Every caller here signs in with an admin-API token, and a token may not create tokens (only a
  // browser session may; test/accessTokens.test.ts covers that side).
  'Mutation.createAccessToken': { allowed: [], op: () => ({ query: 'mutation { createAccessToken(input: { name: "t" }) { secret } }' }) },
  // An id that is not the caller's is BAD_USER_INPUT (the same as a missing one), never FORBIDDEN.
  'Mutation.revokeAccessToken': {
    allowed: SIGNED_IN,
    op: (f) => ({
      query: 'mutation($id: ID!) { revokeAccessToken(input: { id: $id }) { accessToken { id } } }',
      variables: { id: f.accessToken },
    }),
  },
  'Subscription.clientUsage': {
    allowed: CLIENT_SIDE,
    op: (f) => ({ query: 'subscription($c: ID!) { clientUsage(clientId: $c) { change } }', variables: { c: f.client } }),
  },
  'Subscription.viewerUsage': { allowed: SIGNED_IN, op: () => ({ query: 'subscription { viewerUsage { change } }' }) },
};

let lumen: TestLumen;
let people: People;
let modelId: string;

before(async () => {
  lumen = await startLumen();
  const cast = await castOfRoles(lumen);
  people = cast.people;
  modelId = cast.consentModel.globalId;
});
after(() => lumen.close());

async function fixture(): Promise<Fixture> {
  const { client, key, member: user } = await managedClient(lumen, people);
  const { accessToken } = await createAccessToken(null, user.id, { name: 'other' });
  return { client: client.globalId, key: key.globalId, model: modelId, user, accessToken: gid('AccessToken', accessToken.id) };
}

async function call(role: Role, op: { query: string; variables?: Record<string, unknown> }): Promise<GqlResult> {
  const as = caller(people, role);
  if (!op.query.startsWith('subscription')) return lumen.gql(op.query, op.variables ?? {}, as);
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${as.token}`;
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: op.query, variables: op.variables }),
  });
  const reader = new SseReader(response);
  // A refused subscription answers at once with an error; an accepted one waits for events.
  const first = await Promise.race([
    reader.next(),
    new Promise((resolve) => setTimeout(() => resolve({ data: 'waiting for events' }), 1500)),
  ]);
  await reader.close();
  return first as GqlResult;
}

/** A refusal that reveals nothing: null (or a list of nulls), and no error saying why. */
function assertNullAnswer(result: GqlResult) {
  assert.equal(result.errors, undefined, `expected no error: ${JSON.stringify(result.errors)}`);
  const [answer] = Object.values(result.data ?? {});
  assert.ok(
    answer === null || (Array.isArray(answer) && answer.every((item) => item === null)),
    `expected null: ${JSON.stringify(result.data)}`,
  );
}

test('every root field of the schema has an expectation, and every expectation a field', () => {
  const fields = (['Query', 'Mutation', 'Subscription'] as const).flatMap((type) => {
    const root = schema.getType(type);
    return isObjectType(root) ? Object.keys(root.getFields()).map((name) => `${type}.${name}`) : [];
  });
  assert.deepEqual(
    fields.filter((f) => !EXPECTATIONS[f]).sort(),
    [],
    'root fields without an authorization expectation: add them to EXPECTATIONS',
  );
  assert.deepEqual(
    Object.keys(EXPECTATIONS)
      .filter((f) => !fields.includes(f))
      .sort(),
    [],
    'expectations for fields that no longer exist',
  );
});

/**
 * Fields with a fixed rule of their own (such as admin only), called as each kind of caller
 * on a model every signed-in user sees. Fields whose rule depends on the object (a client's
 * keys, a user's sessions) are covered by roles.test.ts.
 */
const FIELD_EXPECTATIONS: Record<string, { allowed: Role[]; query: string }> = {
  'Model.upstreamModel': { allowed: ADMIN, query: '{ models { upstreamModel } }' },
  'Model.upstreamBaseUrl': { allowed: ADMIN, query: '{ models { upstreamBaseUrl } }' },
  'Model.upstreamKeyEnv': { allowed: ADMIN, query: '{ models { upstreamKeyEnv } }' },
  'Model.clientsWithAccess': { allowed: ADMIN, query: '{ models { clientsWithAccess { rule client { id } } } }' },
  'Model.requestsLast24Hours': { allowed: ADMIN, query: '{ models { requestsLast24Hours } }' },
  'Model.usageSeries': {
    allowed: ADMIN,
    query: '{ models { usageSeries(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", bucket: DAY) { requests } } }',
  },
};

test('every field with a fixed auth scope of its own has an expectation, and every expectation a field', () => {
  const scoped = Object.values(schema.getTypeMap()).flatMap((type) =>
    isObjectType(type) && !type.name.startsWith('__') && !['Query', 'Mutation', 'Subscription'].includes(type.name)
      ? Object.values(type.getFields())
          .filter((field) => {
            const scopes = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes;
            return scopes !== undefined && typeof scopes !== 'function';
          })
          .map((field) => `${type.name}.${field.name}`)
      : [],
  );
  assert.deepEqual(
    scoped.filter((f) => !FIELD_EXPECTATIONS[f]).sort(),
    [],
    'fields without an expectation: add them to FIELD_EXPECTATIONS',
  );
  assert.deepEqual(
    Object.keys(FIELD_EXPECTATIONS)
      .filter((f) => !scoped.includes(f))
      .sort(),
    [],
    'expectations for fields that no longer exist or lost their scope',
  );
});

for (const [field, expectation] of Object.entries(FIELD_EXPECTATIONS)) {
  describe(field, () => {
    for (const role of ROLES) {
      const allowed = expectation.allowed.includes(role);
      test(`${role}: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const result = await lumen.gql(expectation.query, {}, caller(people, role));
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        if (allowed) return assert.equal(result.errors, undefined, `${role} was refused: ${JSON.stringify(result.errors)}`);
        const expected = role === 'anonymous' || role === 'deactivated' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        assert.ok(codes.includes(expected), `expected ${expected}: ${JSON.stringify(result)}`);
        assert.ok(!JSON.stringify(result.data ?? null).includes('echo'), `refused data leaked: ${JSON.stringify(result.data)}`);
      });
    }
  });
}

test('every type holding client or personal data carries an auth scope of its own', () => {
  for (const type of ['Client', 'ApiKey', 'User', 'Session', 'Model', 'AccessToken']) {
    const options = (schema.getType(type)!.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
    assert.ok(options?.authScopes, `${type} has no type-level authScopes`);
  }
});

for (const [field, expectation] of Object.entries(EXPECTATIONS)) {
  describe(field, () => {
    for (const role of ROLES) {
      const allowed = expectation.allowed.includes(role);
      test(`${role}: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const f = await fixture();
        const self = caller(people, role);
        const result = await call(role, expectation.op(f, self));
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        if (allowed) {
          assert.ok(
            !codes.includes('FORBIDDEN') && !codes.includes('UNAUTHENTICATED'),
            `${role} was refused: ${JSON.stringify(result.errors)}`,
          );
          return;
        }
        if (role === 'anonymous' || role === 'deactivated') {
          if (expectation.refusal === 'null' && role === 'anonymous') return assertNullAnswer(result);
          return assert.ok(codes.includes('UNAUTHENTICATED'), `expected UNAUTHENTICATED: ${JSON.stringify(result)}`);
        }
        if (expectation.refusal === 'null') return assertNullAnswer(result);
        assert.ok(codes.includes('FORBIDDEN'), `expected FORBIDDEN: ${JSON.stringify(result)}`);
      });
    }
  });
}

/**
 * A user's personal data, whose scope depends on the user: asked about another user (the
 * fixture's member) as each kind of caller; only admins see it. (The user themself does:
 * test/allUsers.test.ts.) Generated from the schema like the rest: a new such field of User
 * without an entry here fails the first test below.
 */
const OTHER_USER_FIELDS: Record<string, { allowed: Role[]; selection: string }> = {
  'User.managedClients': { allowed: ADMIN, selection: 'managedClients { id }' },
  'User.lastSignInAt': { allowed: ADMIN, selection: 'lastSignInAt' },
  'User.sessions': { allowed: ADMIN, selection: 'sessions { id }' },
  'User.accessTokens': { allowed: ADMIN, selection: 'accessTokens { id }' },
  'User.apiKeys': { allowed: ADMIN, selection: 'apiKeys { totalCount }' },
  'User.modelAccess': { allowed: ADMIN, selection: 'modelAccess { status callable refusal refusalReason }' },
  'User.usage': { allowed: ADMIN, selection: 'usage { requests }' },
  'User.coinPool': { allowed: ADMIN, selection: 'coinPool { state largestRecentReservation }' },
  'User.coinRefill': { allowed: ADMIN, selection: 'coinRefill { amount }' },
  'User.rateLimits': { allowed: ADMIN, selection: 'rateLimits { requestsPerMinute requests }' },
  'User.usageSeries': {
    allowed: ADMIN,
    selection: 'usageSeries(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", bucket: DAY) { requests coinsSpent }',
  },
  // Not personal: what the viewer may do to the user, which every signed-in viewer may ask.
  'User.viewerCan': { allowed: SIGNED_IN, selection: 'viewerCan { setAdmin setActive setCoinPool revokeSessions }' },
};

test('every field of User with a scope that depends on the user has an expectation', () => {
  const user = schema.getType('User');
  assert.ok(isObjectType(user));
  const scoped = Object.values(user.getFields())
    .filter((field) => typeof (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes === 'function')
    .map((field) => `User.${field.name}`);
  assert.deepEqual(
    scoped.filter((f) => !OTHER_USER_FIELDS[f]).sort(),
    [],
    'User fields without an expectation: add them to OTHER_USER_FIELDS',
  );
});

for (const [field, expectation] of Object.entries(OTHER_USER_FIELDS)) {
  describe(`${field} of another user`, () => {
    for (const role of ROLES) {
      const allowed = expectation.allowed.includes(role);
      test(`${role}: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const f = await fixture();
        const result = await call(role, {
          query: `query($id: ID!) { node(id: $id) { ... on User { ${expectation.selection} } } }`,
          variables: { id: f.user.globalId },
        });
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        if (allowed) return assert.equal(result.errors, undefined, `${role} was refused: ${JSON.stringify(result.errors)}`);
        if (role === 'anonymous') return assertNullAnswer(result);
        const expected = role === 'deactivated' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        assert.ok(codes.includes(expected), `expected ${expected}: ${JSON.stringify(result)}`);
      });
    }
  });
}
