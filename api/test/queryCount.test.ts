// The client detail page's whole query runs a bounded number of SQL statements,
// whatever the number of keys, managers and models.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { addClientManager } from '../src/domain/clients.ts';
import { createModel } from '../src/domain/models.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

export const CLIENT_PAGE_QUERY = `query ClientPage($id: ID!) {
  client(id: $id) {
    id name active
    usage { requests inputTokens outputTokens totalTokens coinsSpent }
    coinPool { state balance capacity }
    coinRefill { amount intervalSeconds nextRefillAt }
    managers { addedAt user { id name email } }
    apiKeys(first: 500, includeRevoked: true) { totalCount edges { node { id name hint active requests totalTokens coinsSpent lastUsedAt createdAt } } }
    modelAccess { status setting lastUsedAt model { id name needsConsent consentNotice disabled } usage { requests totalTokens coinsSpent } }
    viewerCan { createApiKey revokeApiKey grantModelConsent manageManagers setActive setCoinPool setModelAccess }
  }
}`;

let lumen: TestLumen;
let admin: TestUser;
let manager: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  manager = await lumen.user();
});
after(() => lumen.close());

async function clientWith(keys: number, managers: number) {
  const client = await lumen.client(admin);
  await addClientManager(admin.viewer, client.id, manager.id);
  for (let i = 1; i < managers; i++) await addClientManager(admin.viewer, client.id, (await lumen.user()).id);
  for (let i = 0; i < keys; i++) await createApiKey(admin.viewer, { clientId: client.id }, { name: `key ${i}` });
  return client;
}

async function statementsFor(clientGlobalId: string, as: TestUser) {
  // Once to warm up (a token's lastUsedAt is refreshed at most once a minute), then counted.
  await lumen.gql(CLIENT_PAGE_QUERY, { id: clientGlobalId }, as);
  const { result, count, statements } = await lumen.countQueries(() => lumen.gql(CLIENT_PAGE_QUERY, { id: clientGlobalId }, as));
  assertOk(result);
  if (process.env.SHOW_SQL) console.log(statements.join('\n'));
  return { count, data: (result.data as any).client };
}

test('the same number of statements for 2 keys and 1 model as for 40 keys, 5 managers and 8 models', async () => {
  await createModel(admin.viewer, {
    name: 'only-model',
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '1',
    outputCoinsPerMillion: '1',
  });
  const small = await clientWith(2, 1);
  const smallCount = await statementsFor(small.globalId, manager);
  for (let i = 0; i < 7; i++) {
    await createModel(admin.viewer, {
      name: `model-${i}`,
      provider: 'echo',
      upstreamModel: 'echo',
      inputCoinsPerMillion: '1',
      outputCoinsPerMillion: '1',
    });
  }
  const large = await clientWith(40, 5);
  const largeCount = await statementsFor(large.globalId, manager);
  assert.equal(largeCount.data.apiKeys.edges.length, 40);
  assert.equal(largeCount.data.modelAccess.length, 8);
  assert.equal(largeCount.data.managers.length, 5);
  assert.equal(largeCount.count, smallCount.count, `statements grew with the data: ${smallCount.count} → ${largeCount.count}`);
  assert.ok(largeCount.count <= 16, `too many statements for one page: ${largeCount.count}`);
  // Admins need no manager look-up; it is never more.
  assert.ok((await statementsFor(large.globalId, admin)).count <= largeCount.count);
});
