// "Personal keys give wrong directions" (issue 12): what a personal key is told when it is
// refused names the Profile page or the admin's page for the user, never "the client's page";
// and the Profile page's Model Access table says when every call is refused for want of a pool.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey, revokeApiKey } from '../src/domain/apiKeys.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { assertOk } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model, openai, pool, refusal, clientKey } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const hello = [{ role: 'user' as const, content: 'hello' }];

async function personalKey(user: TestUser) {
  const { secret, apiKey } = await createApiKey(user.viewer, { userId: user.id }, { name: 'mine' });
  return { ai: openai(secret), id: apiKey.id };
}

interface AccessRow {
  model: { name: string };
  status: string;
  callable: boolean;
  refusal: string | null;
  refusalReason: string | null;
}
async function profileAccess(user: TestUser, modelName: string): Promise<AccessRow> {
  const result = assertOk(
    await lumen.gql('{ viewer { modelAccess { model { name } status callable refusal refusalReason } } }', {}, user),
  ) as { viewer: { modelAccess: AccessRow[] } };
  return result.viewer.modelAccess.find((row) => row.model.name === modelName)!;
}

test('without a pool: /v1 points to the Profile page and the user page, and the Profile table says no call is admitted', async () => {
  const user = await lumen.user();
  const m = await model(admin);
  const { ai } = await personalKey(user);
  const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
  assert.deepEqual([refused.status, refused.code], [403, 'coin_pool_not_configured']);
  assert.doesNotMatch(refused.message, /client's page/);
  assert.match(
    refused.message,
    new RegExp(`your user page, which admins open under Users \\(http://lumen\\.test/users/${gid('User', user.id)}\\)`),
  );
  assert.match(refused.message, /your Profile page \(http:\/\/lumen\.test\/profile\) shows your pool/);

  // The status is the rule's (unchanged, so existing clients keep working); the new fields account for the pool.
  const row = await profileAccess(user, m.name);
  assert.deepEqual([row.status, row.callable, row.refusal], ['ALLOWED', false, 'NO_COIN_POOL']);
  assert.match(row.refusalReason!, /No coin pool is set up for these personal keys, so every call is refused; ask an admin/);
  assert.doesNotMatch(row.refusalReason!, /client's page/);

  // With a pool, the same model is callable, and the call goes through.
  await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
  const callable = await profileAccess(user, m.name);
  assert.deepEqual([callable.callable, callable.refusal, callable.refusalReason], [true, null, null]);
  assert.ok((await ai.chat.completions.create({ model: m.name, messages: hello })).choices.length > 0);
});

test('an empty LIMITED pool with no refill due refuses every call to a priced model, not to a free one', async () => {
  const user = await lumen.user();
  const priced = await model(admin);
  const free = await model(admin, { inputCoinsPerMillion: '0', outputCoinsPerMillion: '0' });
  await setCoinPool(admin.viewer, { userId: user.id }, { state: 'LIMITED', capacity: '10', balance: '0' });
  assert.deepEqual(
    [(await profileAccess(user, priced.name)).refusal, (await profileAccess(user, priced.name)).callable],
    ['NO_COINS', false],
  );
  assert.deepEqual([(await profileAccess(user, free.name)).refusal, (await profileAccess(user, free.name)).callable], [null, true]);
  const { ai } = await personalKey(user);
  assert.equal((await refusal(ai.chat.completions.create({ model: priced.name, messages: hello }))).status, 429);
  assert.ok((await ai.chat.completions.create({ model: free.name, messages: hello })).choices.length > 0);
});

test('consent for a personal key: the message names the Profile page, and still gives the GraphQL mutation', async () => {
  const user = await lumen.user();
  await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
  const m = await model(admin, { needsConsent: true, consentNotice: 'Prompts go to a third party.' });
  const { ai } = await personalKey(user);
  const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
  assert.equal(refused.code, 'consent_required');
  assert.match(refused.message, /Model Access table on your Profile page \(http:\/\/lumen\.test\/profile\)/);
  assert.match(refused.message, /grantModelConsent\(input: \{ modelId/);
  assert.match(refused.message, /third party/);
  const row = await profileAccess(user, m.name);
  assert.deepEqual([row.status, row.callable, row.refusal], ['NEEDS_CONSENT', false, 'NEEDS_CONSENT']);
});

test("a model blocked by default: personal keys are told about the model's default access, not a client's rule", async () => {
  const user = await lumen.user();
  await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
  const m = await model(admin, { defaultAccess: 'BLOCKED' });
  const { ai } = await personalKey(user);
  const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
  assert.equal(refused.code, 'model_blocked');
  assert.doesNotMatch(refused.message, /client's page/);
  assert.match(refused.message, /personal keys follow the model's default access.*Models page/);
  assert.equal((await profileAccess(user, m.name)).refusal, 'BLOCKED');
});

test('a revoked personal key is told to make a new one on the Profile page; a client key, on the client page', async () => {
  const user = await lumen.user();
  const m = await model(admin);
  const { ai, id } = await personalKey(user);
  await revokeApiKey(user.viewer, id);
  const personal = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
  assert.equal(personal.code, 'revoked_api_key');
  assert.match(personal.message, /create a new personal key on your Profile page \(http:\/\/lumen\.test\/profile\)/);

  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  const key = await clientKey(admin, client.id);
  await revokeApiKey(admin.viewer, key.id);
  const ofClient = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }));
  assert.match(ofClient.message, new RegExp(`create a new one on the client's page \\(http://lumen\\.test/clients/${client.globalId}\\)`));
});

test("a client's key without a pool is still sent to the client's page", async () => {
  const client = await lumen.client(admin);
  const m = await model(admin);
  const key = await clientKey(admin, client.id);
  const refused = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }));
  assert.equal(refused.code, 'coin_pool_not_configured');
  assert.match(refused.message, /an admin must set one up \(LIMITED or UNLIMITED\) on the client's page \(http:\/\/lumen\.test\/clients\//);
});
