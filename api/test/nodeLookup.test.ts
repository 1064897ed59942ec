// node(id) and nodes(ids) answer null, without an error, for every id that does not
// lead to an object the viewer may see: hidden, missing, malformed or of an unknown
// type alike, so the answer is no oracle for what exists.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
let manager: TestUser;
let stranger: TestUser;
let client: { id: string; globalId: string };
let keyId: string;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  manager = await lumen.user();
  stranger = await lumen.user();
  client = await lumen.client(admin, 'Hidden');
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
  keyId = encodeGlobalID('ApiKey', (await createApiKey(admin.viewer, { clientId: client.id }, { name: 'k' })).apiKey.id);
});
after(() => lumen.close());

const NODE = `query($id: ID!) { node(id: $id) { id __typename } }`;
const MISSING = '00000000-0000-4000-8000-000000000000';

test('an object the viewer may see is found, with its type', async () => {
  const result = await lumen.gql(NODE, { id: client.globalId }, manager);
  assert.deepEqual(result, { data: { node: { id: client.globalId, __typename: 'Client' } } });
  const key = await lumen.gql(NODE, { id: keyId }, admin);
  assert.deepEqual(key, { data: { node: { id: keyId, __typename: 'ApiKey' } } });
});

test('hidden, missing, malformed and unknown-type ids all answer null without an error', async () => {
  const ids = {
    hiddenClient: client.globalId,
    hiddenKey: keyId,
    missingClient: encodeGlobalID('Client', MISSING),
    missingKey: encodeGlobalID('ApiKey', MISSING),
    notBase64: '%%%',
    garbage: 'garbage',
    notUuid: encodeGlobalID('Client', 'not-a-uuid'),
    unknownType: encodeGlobalID('Secret', MISSING),
    prototypeName: encodeGlobalID('constructor', MISSING),
  };
  for (const [what, id] of Object.entries(ids)) {
    const result = await lumen.gql(NODE, { id }, stranger);
    assert.deepEqual(result, { data: { node: null } }, what);
  }
  // Anonymous callers learn nothing either.
  assert.deepEqual(await lumen.gql(NODE, { id: client.globalId }, null), { data: { node: null } });
});

test("another user's session is null; one's own is found", async () => {
  const own = await lumen.prisma.session.create({
    data: { userId: stranger.id, hash: `h-${stranger.id}`, expiresAt: new Date(Date.now() + 60_000) },
  });
  const id = encodeGlobalID('Session', own.id);
  assert.deepEqual(await lumen.gql(NODE, { id }, manager), { data: { node: null } });
  assert.deepEqual(await lumen.gql(NODE, { id }, stranger), { data: { node: { id, __typename: 'Session' } } });
});

test('nodes(ids) answers in order, null for each id that leads nowhere visible', async () => {
  const result = await lumen.gql(
    `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
    { ids: [client.globalId, 'garbage', encodeGlobalID('Client', MISSING), keyId] },
    manager,
  );
  assert.deepEqual(result, { data: { nodes: [{ id: client.globalId }, null, null, { id: keyId }] } });
  const tooMany = await lumen.gql(
    `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
    { ids: Array.from({ length: 101 }, () => client.globalId) },
    manager,
  );
  assert.equal(tooMany.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
});
