// The client detail page runs a bounded number of SQL statements, whatever the number of
// keys, managers and models. It is measured with the documents the admin UI really sends
// (admin-ui/src/gql, written by `npm run generate`, as api/bench uses them), so the bound
// follows the page when it changes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ApiKeysSection_ApiKeysQueryDocument,
  ClientPage_ClientQueryDocument,
  type ManagersSection_ClientFragmentFragment,
} from '../../admin-ui/src/gql/graphql.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { addClientManager } from '../src/domain/clients.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model } from './support/v1.ts';

/** The keys section's first page (PAGE in admin-ui/src/features/apiKeys/ApiKeysSection.tsx). */
const KEYS_PAGE = 100;

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

/** The page's own query: header, usage cards, managers, pool and model access. */
async function pageQuery(clientGlobalId: string, as: TestUser) {
  const page = assertOk(await lumen.gql(ClientPage_ClientQueryDocument, { id: clientGlobalId }, as));
  assert.ok(page.client, 'no client');
  // The managers are in the managers section's fragment: there at run time, hidden only from the
  // generated types (what the UI's getFragmentData undoes).
  const { managers } = page.client as unknown as ManagersSection_ClientFragmentFragment;
  return { managers, modelAccess: page.client.modelAccess };
}

/** The API-keys section's query, sent with the page's: its first page of keys. */
async function keysQuery(clientGlobalId: string, as: TestUser) {
  const keys = assertOk(
    await lumen.gql(
      ApiKeysSection_ApiKeysQueryDocument,
      { ownerId: clientGlobalId, search: null, includeRevoked: false, first: KEYS_PAGE, after: null },
      as,
    ),
  );
  assert.ok(keys.node && 'apiKeys' in keys.node, 'no keys');
  return keys.node.apiKeys.edges;
}

/** The statements of each query a browser sends when it opens the client's page. */
async function statementsFor(clientGlobalId: string, as: TestUser) {
  const counted = async <T>(send: () => Promise<T>) => {
    // Once to warm up (a token's lastUsedAt is refreshed at most once a minute), then counted.
    await send();
    const { result, count, statements } = await lumen.countQueries(send);
    if (process.env.SHOW_SQL) console.log(statements.join('\n'));
    return { result, count };
  };
  const page = await counted(() => pageQuery(clientGlobalId, as));
  const keys = await counted(() => keysQuery(clientGlobalId, as));
  return { page: page.count, keys: keys.count, count: page.count + keys.count, data: { ...page.result, keys: keys.result } };
}

test('the same number of statements for 2 keys and 1 model as for 40 keys, 5 managers and 8 models', async () => {
  await model(admin, { name: 'only-model' });
  const small = await clientWith(2, 1);
  const smallCount = await statementsFor(small.globalId, manager);
  for (let i = 0; i < 7; i++) {
    await model(admin, { name: `model-${i}` });
  }
  const large = await clientWith(40, 5);
  const largeCount = await statementsFor(large.globalId, manager);
  assert.equal(largeCount.data.keys.length, 40);
  assert.equal(largeCount.data.modelAccess.length, 8);
  assert.equal(largeCount.data.managers.length, 5);
  assert.equal(largeCount.count, smallCount.count, `statements grew with the data: ${smallCount.count} → ${largeCount.count}`);
  assert.deepEqual([largeCount.page, largeCount.keys], [smallCount.page, smallCount.keys], 'one of the two queries grew with the data');
  // The token and its user; the client with the manager check in it; the managers and their users; usage; the pool;
  // its largest recent reservation; model access (models with rules, consent and usage); model health.
  assert.ok(largeCount.page <= 10, `too many statements for one page: ${largeCount.page}`);
  // The keys section's own request: the token and its user, the owner with the manager check in it, one page of keys and its count.
  assert.ok(largeCount.keys <= 5, `too many statements for one page of keys: ${largeCount.keys}`);
  // Admins need no manager look-up; it is never more.
  assert.ok((await statementsFor(large.globalId, admin)).count <= largeCount.count);
});
