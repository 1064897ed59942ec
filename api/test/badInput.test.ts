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
let other: { id: string; globalId: string };
let retired: { id: string; globalId: string };
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
  other = await lumen.client(admin, 'Other');
  // A deactivated client whose name an active one has taken since.
  retired = await lumen.client(admin, 'Retired');
  await lumen.prisma.client.update({ where: { id: retired.id }, data: { active: false } });
  await lumen.client(admin, 'RETIRED');
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
    {
      name: 'a 300-character name (refused with the limit, not cut)',
      query: `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: 'n'.repeat(300) }),
      message: /name can be at most 100 characters long/,
    },
    {
      name: 'the name of an active client, in other letters',
      query: `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      variables: () => ({ n: '  existing ' }),
      message: /already named "Existing"/,
    },
  ],
  updateClient: [
    {
      name: 'the name of another active client, in other letters',
      query: `mutation($c: ID!, $n: String) { updateClient(input: { clientId: $c, name: $n }) { client { id } } }`,
      variables: () => ({ c: other.globalId, n: 'EXISTING' }),
      message: /already named "Existing"/,
    },
    {
      name: 'a 300-character name (refused with the limit, not cut)',
      query: `mutation($c: ID!, $n: String) { updateClient(input: { clientId: $c, name: $n }) { client { id } } }`,
      variables: () => ({ c: other.globalId, n: 'n'.repeat(300) }),
      message: /name can be at most 100 characters long/,
    },
    {
      name: 'empty name',
      query: `mutation($c: ID!, $n: String) { updateClient(input: { clientId: $c, name: $n }) { client { id } } }`,
      variables: () => ({ c: other.globalId, n: ' ' }),
      message: /name cannot be empty/,
    },
    {
      name: 'bidirectional controls in the name',
      query: `mutation($c: ID!, $n: String) { updateClient(input: { clientId: $c, name: $n }) { client { id } } }`,
      variables: () => ({ c: other.globalId, n: 'abc\u202edef' }),
      message: /bidirectional/,
    },
    {
      name: 'over-long description',
      query: `mutation($c: ID!, $d: String) { updateClient(input: { clientId: $c, description: $d }) { client { id } } }`,
      variables: () => ({ c: other.globalId, d: 'd'.repeat(2001) }),
      message: /description can be at most 2000 characters long/,
    },
    {
      name: 'control characters in the description',
      query: `mutation($c: ID!, $d: String) { updateClient(input: { clientId: $c, description: $d }) { client { id } } }`,
      variables: () => ({ c: other.globalId, d: 'bell\u0007' }),
      message: /control characters/,
    },
    {
      name: 'unknown client',
      query: `mutation($c: ID!) { updateClient(input: { clientId: $c, name: "x" }) { client { id } } }`,
      variables: () => ({ c: missingClient }),
      message: /No client/,
    },
    {
      name: 'id of another type',
      query: `mutation($c: ID!) { updateClient(input: { clientId: $c, name: "x" }) { client { id } } }`,
      variables: () => ({ c: keyId }),
      message: /not the id of a Client/,
    },
    {
      name: 'name of the wrong type',
      query: `mutation($c: ID!, $n: Int) { updateClient(input: { clientId: $c, name: $n }) { client { id } } }`,
      variables: () => ({ c: other.globalId, n: 5 }),
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
    {
      name: 'activating a client whose name an active client has taken',
      query: `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: true }) { client { id } } }`,
      variables: () => ({ c: retired.globalId }),
      message: /Retired cannot be activated while another active client is named "RETIRED"/,
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
  updateModel: [
    {
      name: 'unknown model',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, disabled: true }) { model { id } } }`,
      variables: () => ({ m: gid('Model', '01900000-0000-7000-8000-000000000000') }),
      message: /No model/,
    },
    {
      name: 'id of a client',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, disabled: true }) { model { id } } }`,
      variables: () => ({ m: client.globalId }),
      message: /not the id of a Model/,
    },
    {
      name: 'the name of another model',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, name: "m1" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /A model named m1 already exists/,
    },
    {
      name: 'name with spaces',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, name: "my model" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /may contain/,
    },
    {
      name: 'a 300-character name',
      query: `mutation($m: ID!, $n: String) { updateModel(input: { modelId: $m, name: $n }) { model { id } } }`,
      variables: () => ({ m: plainModelId, n: 'm'.repeat(300) }),
      message: /at most 200/,
    },
    {
      name: 'unknown provider',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, provider: "carrier-pigeon" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /provider must be one of/,
    },
    {
      name: 'openai-compatible without an upstream URL',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, provider: "openai-compatible" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /upstreamBaseUrl must be an http\(s\) URL/,
    },
    {
      name: 'an upstream URL that is not http(s)',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, provider: "openai-compatible", upstreamBaseUrl: "file:///etc/passwd" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /upstreamBaseUrl must be an http\(s\) URL/,
    },
    {
      name: 'a server variable as the upstream key',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, provider: "openai-compatible", upstreamBaseUrl: "https://example.org/v1", upstreamKeyEnv: "LUMEN_SECRET" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /LUMEN_SECRET is not allowed: .*LUMEN_UPSTREAM_KEY_<NAME>/,
    },
    {
      name: 'upstream key instead of variable name',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, upstreamKeyEnv: "sk-abc123" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /NAME of an environment variable/,
    },
    {
      name: 'negative price',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, inputCoinsPerMillion: "-1" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /inputCoinsPerMillion cannot be negative/,
    },
    {
      name: 'float-looking price',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, outputCoinsPerMillion: "1e3" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /decimal number/,
    },
    {
      name: 'price as a number',
      query: `mutation($m: ID!, $p: Coins) { updateModel(input: { modelId: $m, outputCoinsPerMillion: $p }) { model { id } } }`,
      variables: () => ({ m: plainModelId, p: 2.5 }),
      message: /decimal string/,
    },
    {
      name: 'price with too many decimals',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, inputCoinsPerMillion: "1.0000001" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /at most 6 decimal places/,
    },
    {
      name: 'zero output limit',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, maxOutputTokens: 0 }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /maxOutputTokens must be a whole number/,
    },
    {
      name: 'consent without notice',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, needsConsent: true }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
      message: /consentNotice is required/,
    },
    {
      name: 'clearing the notice of a model that needs consent',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, consentNotice: "" }) { model { id } } }`,
      variables: () => ({ m: modelId }),
      message: /consentNotice is required/,
    },
    {
      name: 'bad enum',
      query: `mutation($m: ID!, $a: AccessRule) { updateModel(input: { modelId: $m, defaultAccess: $a }) { model { id } } }`,
      variables: () => ({ m: plainModelId, a: 'MAYBE' }),
    },
    {
      name: 'disabled of the wrong type',
      query: `mutation($m: ID!) { updateModel(input: { modelId: $m, disabled: "yes" }) { model { id } } }`,
      variables: () => ({ m: plainModelId }),
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
  setUserAdmin: [
    {
      name: 'the last active admin',
      query: `mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: false }) { user { id } } }`,
      variables: () => ({ u: admin.globalId }),
      message: /is the last active admin and cannot be demoted/,
    },
    {
      name: 'unknown user',
      query: `mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: true }) { user { id } } }`,
      variables: () => ({ u: gid('User', '01900000-0000-7000-8000-000000000000') }),
      message: /No user/,
    },
    {
      name: 'a client id',
      query: `mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: true }) { user { id } } }`,
      variables: () => ({ u: client.globalId }),
      message: /not the id of a User/,
    },
    {
      name: 'admin missing',
      query: `mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: null }) { user { id } } }`,
      variables: () => ({ u: user.globalId }),
    },
  ],
  setUserActive: [
    {
      name: 'yourself',
      query: `mutation($u: ID!) { setUserActive(input: { userId: $u, active: false }) { user { id } } }`,
      variables: () => ({ u: admin.globalId }),
      message: /cannot deactivate yourself/,
    },
  ],
  revokeSession: [
    {
      name: 'unknown session',
      query: `mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }`,
      variables: () => ({ id: gid('Session', '01900000-0000-7000-8000-000000000000') }),
      message: /No active session with id/,
    },
    {
      name: 'id of a user',
      query: `mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }`,
      variables: () => ({ id: user.globalId }),
      message: /not the id of a Session/,
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
