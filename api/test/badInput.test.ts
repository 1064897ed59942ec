// Invalid input on every mutation: a BAD_USER_INPUT error a person can act on,
// and the database exactly as it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { assertErrorCode } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let client: { id: string; globalId: string };
let modelId: string;
let plainModelId: string;
let keyId: string;
let user: TestUser;
let adminSession: { cookie: string };

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  user = await lumen.user();
  client = await lumen.client(admin, 'Existing');
  modelId = gid('Model', (await model(admin, { name: 'm1', needsConsent: true, consentNotice: 'n' })).id);
  plainModelId = gid('Model', (await model(admin, { name: 'm2' })).id);
  const { apiKey } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'k' });
  keyId = gid('ApiKey', apiKey.id);
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: user.id } });
  adminSession = await lumen.session(admin);
});
after(() => lumen.close());

const missingClient = gid('Client', '01900000-0000-7000-8000-000000000000');
const long = 'x'.repeat(101);

interface Case {
  name: string;
  query: string;
  variables: () => Record<string, unknown>;
  message?: RegExp;
  /** Who calls, when not the admin's token (tokens are created from a browser session). */
  as?: () => { cookie: string };
}

const cases: Record<string, Case[]> = {
  createClient: [
    {
      name: 'empty name',
      query: `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: '   ' }),
      message: /name cannot be empty/,
    },
    {
      name: 'over-long name',
      query: `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: long }),
      message: /at most 100/,
    },
    {
      name: 'control characters',
      query: `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: 'a\nb' }),
      message: /control characters/,
    },
    {
      name: 'wrong type',
      query: `mutation($n: Int!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: 5 }),
    },
  ],
  setClientActive: [
    {
      name: 'unknown client',
      query: `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: false }) { client { id } } }`,
      variables: () => ({ c: missingClient }),
      message: /No client/,
    },
    {
      name: 'id of another type',
      query: `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: false }) { client { id } } }`,
      variables: () => ({ c: keyId }),
      message: /not the id of a Client/,
    },
    {
      name: 'garbage id',
      query: `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: false }) { client { id } } }`,
      variables: () => ({ c: '\'; DROP TABLE "Client"; --' }),
    },
    {
      name: 'missing boolean',
      query: `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: null }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
    },
  ],
  addClientManager: [
    {
      name: 'unknown user',
      query: `mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
      variables: () => ({ c: client.globalId, u: gid('User', '01900000-0000-7000-8000-000000000000') }),
      message: /No user/,
    },
    {
      name: 'already a manager',
      query: `mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
      variables: () => ({ c: client.globalId, u: user.globalId }),
      message: /already manages/,
    },
    {
      name: 'unknown client',
      query: `mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
      variables: () => ({ c: missingClient, u: user.globalId }),
    },
  ],
  removeClientManager: [
    {
      name: 'not a manager',
      query: `mutation($c: ID!, $u: ID!) { removeClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
      variables: () => ({ c: client.globalId, u: admin.globalId }),
      message: /does not manage/,
    },
  ],
  setClientCoinPool: [
    {
      name: 'negative balance',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "10", balance: "-1" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /cannot be negative/,
    },
    {
      name: 'balance above capacity',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "10", balance: "11" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /more than capacity/,
    },
    {
      name: 'float-looking coins',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "1e3" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /decimal number/,
    },
    {
      name: 'coins as a number',
      query: `mutation($c: ID!, $cap: Coins) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: $cap }) { client { id } } }`,
      variables: () => ({ c: client.globalId, cap: 10.5 }),
      message: /decimal string/,
    },
    {
      name: 'too many decimals',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "1.0000000000001" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /decimal places/,
    },
    {
      name: 'capacity on an unlimited pool',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: UNLIMITED, capacity: "5" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /only to LIMITED/,
    },
    {
      name: 'refill without interval',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "5", refillAmount: "1" }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /both/,
    },
    {
      name: 'zero interval',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "5", refillAmount: "1", refillIntervalSeconds: 0 }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
      message: /whole number/,
    },
    {
      name: 'bad enum (literal)',
      query: `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: PLENTY }) { client { id } } }`,
      variables: () => ({ c: client.globalId }),
    },
    {
      name: 'bad enum (variable)',
      query: `mutation($c: ID!, $s: CoinPoolState!) { setClientCoinPool(input: { clientId: $c, state: $s }) { client { id } } }`,
      variables: () => ({ c: client.globalId, s: 'PLENTY' }),
    },
  ],
  setUserCoinPool: [
    {
      name: 'unknown user',
      query: `mutation($u: ID!) { setUserCoinPool(input: { userId: $u, state: UNLIMITED }) { user { id } } }`,
      variables: () => ({ u: gid('User', '01900000-0000-7000-8000-000000000000') }),
      message: /No user/,
    },
    {
      name: 'a client id',
      query: `mutation($u: ID!) { setUserCoinPool(input: { userId: $u, state: LIMITED, capacity: "5" }) { user { id } } }`,
      variables: () => ({ u: client.globalId }),
      message: /not the id of a User/,
    },
    {
      name: 'negative capacity',
      query: `mutation($u: ID!) { setUserCoinPool(input: { userId: $u, state: LIMITED, capacity: "-5" }) { user { id } } }`,
      variables: () => ({ u: user.globalId }),
      message: /negative/,
    },
  ],
  setClientModelAccess: [
    {
      name: 'unknown model',
      query: `mutation($c: ID!, $m: ID!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: BLOCKED }) { client { id } } }`,
      variables: () => ({ c: client.globalId, m: gid('Model', '01900000-0000-7000-8000-000000000000') }),
      message: /No model/,
    },
    {
      name: 'bad enum',
      query: `mutation($c: ID!, $m: ID!, $a: AccessSetting!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: $a }) { client { id } } }`,
      variables: () => ({ c: client.globalId, m: modelId, a: 'MAYBE' }),
    },
  ],
  createModel: [
    {
      name: 'duplicate name',
      query: `mutation { createModel(input: { name: "m1", provider: "echo", upstreamModel: "echo", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { id } } }`,
      variables: () => ({}),
      message: /already exists/,
    },
    {
      name: 'unknown provider',
      query: `mutation { createModel(input: { name: "m9", provider: "carrier-pigeon", upstreamModel: "x", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { id } } }`,
      variables: () => ({}),
      message: /provider must be one of/,
    },
    {
      name: 'negative price',
      query: `mutation { createModel(input: { name: "m9", provider: "echo", upstreamModel: "x", inputCoinsPerMillion: "-1", outputCoinsPerMillion: "1" }) { model { id } } }`,
      variables: () => ({}),
      message: /negative/,
    },
    {
      name: 'consent without notice',
      query: `mutation { createModel(input: { name: "m9", provider: "echo", upstreamModel: "x", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1", needsConsent: true }) { model { id } } }`,
      variables: () => ({}),
      message: /consentNotice is required/,
    },
    {
      name: 'upstream key instead of variable name',
      query: `mutation { createModel(input: { name: "m9", provider: "openai-compatible", upstreamModel: "gpt", upstreamBaseUrl: "https://example.org/v1", upstreamKeyEnv: "sk-abc123", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { id } } }`,
      variables: () => ({}),
      message: /NAME of an environment variable/,
    },
    {
      name: 'name with spaces',
      query: `mutation { createModel(input: { name: "my model", provider: "echo", upstreamModel: "x", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { id } } }`,
      variables: () => ({}),
      message: /may contain/,
    },
  ],
  createApiKey: [
    {
      name: 'empty name',
      query: `mutation($c: ID) { createApiKey(input: { clientId: $c, name: "" }) { secret } }`,
      variables: () => ({ c: client.globalId }),
      message: /name cannot be empty/,
    },
    {
      name: 'unknown client',
      query: `mutation($c: ID) { createApiKey(input: { clientId: $c, name: "x" }) { secret } }`,
      variables: () => ({ c: missingClient }),
      message: /No client/,
    },
    {
      name: 'HTML in an over-long name',
      query: `mutation($n: String!) { createApiKey(input: { name: $n }) { secret } }`,
      variables: () => ({ n: `<script>alert(1)</script>${long}` }),
      message: /at most 100/,
    },
  ],
  revokeApiKey: [
    {
      name: 'unknown key',
      query: `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`,
      variables: () => ({ id: gid('ApiKey', '01900000-0000-7000-8000-000000000000') }),
      message: /No API key/,
    },
    {
      name: 'id of a client',
      query: `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`,
      variables: () => ({ id: client.globalId }),
      message: /not the id of a ApiKey/,
    },
  ],
  grantModelConsent: [
    {
      name: 'model without consent',
      query: `mutation($c: ID, $m: ID!) { grantModelConsent(input: { clientId: $c, modelId: $m }) { modelAccess { status } } }`,
      variables: () => ({ c: client.globalId, m: plainModelId }),
      message: /does not need consent/,
    },
    {
      name: 'unknown model',
      query: `mutation($c: ID, $m: ID!) { grantModelConsent(input: { clientId: $c, modelId: $m }) { modelAccess { status } } }`,
      variables: () => ({ c: client.globalId, m: gid('Model', '01900000-0000-7000-8000-000000000000') }),
      message: /No model/,
    },
  ],
  createAccessToken: [
    {
      name: 'expiresAt in the past',
      query: `mutation($e: DateTime) { createAccessToken(input: { name: "t", expiresAt: $e }) { secret } }`,
      variables: () => ({ e: '2020-01-01T00:00:00Z' }),
      message: /expiresAt must be in the future/,
      as: () => adminSession,
    },
    {
      name: 'expiresAt too far ahead',
      query: `mutation($e: DateTime) { createAccessToken(input: { name: "t", expiresAt: $e }) { secret } }`,
      variables: () => ({ e: '2999-01-01T00:00:00Z' }),
      message: /expiresAt can be at most/,
      as: () => adminSession,
    },
    {
      name: 'expiresAt not a date',
      query: `mutation($e: DateTime) { createAccessToken(input: { name: "t", expiresAt: $e }) { secret } }`,
      variables: () => ({ e: 'tomorrow' }),
      as: () => adminSession,
    },
    {
      name: 'empty name',
      query: `mutation { createAccessToken(input: { name: " " }) { secret } }`,
      variables: () => ({}),
      message: /name cannot be empty/,
      as: () => adminSession,
    },
  ],
  revokeAccessToken: [
    {
      name: 'unknown token',
      query: `mutation($id: ID!) { revokeAccessToken(input: { id: $id }) { accessToken { id } } }`,
      variables: () => ({ id: gid('AccessToken', '01900000-0000-7000-8000-000000000000') }),
      message: /No access token with id/,
    },
    {
      name: 'id of a client',
      query: `mutation($id: ID!) { revokeAccessToken(input: { id: $id }) { accessToken { id } } }`,
      variables: () => ({ id: client.globalId }),
      message: /not the id of a AccessToken/,
    },
  ],
  createUser: [
    {
      name: 'not an email',
      query: `mutation { createUser(input: { email: "nope", name: "N" }) { user { id } } }`,
      variables: () => ({}),
      message: /email address/,
    },
    {
      name: 'duplicate email',
      query: `mutation($e: String!) { createUser(input: { email: $e, name: "N" }) { user { id } } }`,
      variables: () => ({ e: user.email.toUpperCase() }),
      message: /already exists/,
    },
  ],
};

for (const [mutation, list] of Object.entries(cases)) {
  describe(mutation, () => {
    for (const c of list) {
      test(c.name, async () => {
        const before = await lumen.snapshot();
        const result = await lumen.gql(c.query, c.variables(), c.as?.() ?? admin);
        assertErrorCode(result, 'BAD_USER_INPUT', c.message);
        assert.ok(result.errors![0].message.length < 300, 'the message is short enough to read');
        assert.ok(!/prisma|invalid `|at \w+ \(/i.test(result.errors![0].message), `internal details leaked: ${result.errors![0].message}`);
        assert.equal(await lumen.snapshot(), before, 'invalid input changed the database');
      });
    }
  });
}

test('the server stays up after all of that', async () => {
  const response = await lumen.fetch('/healthz');
  assert.equal(response.status, 200);
});
