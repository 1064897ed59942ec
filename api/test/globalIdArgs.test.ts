// Global id arguments, decoded by the Relay plugin: a malformed id, or the id of another
// type, is BAD_USER_INPUT naming the field on mutations and subscriptions, while client(id),
// like node(id), answers null for it so that no answer tells "malformed" from "missing".
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { globalIdOf, parseGlobalId } from '../src/schema/globalIds.ts';
import { assertErrorCode } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
let client: { id: string; globalId: string };
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  client = await lumen.client(admin, 'Known');
});
after(() => lumen.close());

const MISSING = '00000000-0000-4000-8000-000000000000';
const badIds = () => ({
  notBase64: '%%%',
  garbage: 'garbage',
  notUuid: encodeGlobalID('Client', 'not-a-uuid'),
  otherType: encodeGlobalID('User', admin.id),
  unknownType: encodeGlobalID('Secret', MISSING),
});

test('client(id) answers null, without an error, for a malformed id or one of another type', async () => {
  const CLIENT = `query($id: ID!) { client(id: $id) { id } }`;
  assert.deepEqual(await lumen.gql(CLIENT, { id: client.globalId }, admin), { data: { client: { id: client.globalId } } });
  assert.deepEqual(await lumen.gql(CLIENT, { id: encodeGlobalID('Client', MISSING) }, admin), { data: { client: null } });
  for (const [what, id] of Object.entries(badIds())) {
    assert.deepEqual(await lumen.gql(CLIENT, { id }, admin), { data: { client: null } }, what);
  }
});

test('a mutation given a malformed id, or one of another type, is BAD_USER_INPUT naming the field', async () => {
  const SET_ACTIVE = `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: true }) { client { id } } }`;
  for (const [what, id] of Object.entries(badIds())) {
    const result = await lumen.gql(SET_ACTIVE, { c: id }, admin);
    assertErrorCode(result, 'BAD_USER_INPUT', /^clientId is not the id of a Client: /);
    assert.equal(result.data, null, what);
  }
  const CONSENT = `mutation($m: ID!) { grantModelConsent(input: { modelId: $m }) { modelAccess { status } } }`;
  assertErrorCode(await lumen.gql(CONSENT, { m: client.globalId }, admin), 'BAD_USER_INPUT', /^modelId is not the id of a Model: /);
});

test('schema/globalIds.ts makes and reads global ids exactly as the Relay plugin does', () => {
  const uuid = '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
  for (const type of ['Client', 'User', 'ApiKey', 'Model', 'Session', 'AccessToken'] as const) {
    assert.equal(globalIdOf(type, uuid), encodeGlobalID(type, uuid), type);
    assert.deepEqual(parseGlobalId(encodeGlobalID(type, uuid)), decodeGlobalID(encodeGlobalID(type, uuid)), type);
  }
  const plugin = (id: string) => {
    try {
      const decoded = decodeGlobalID(id);
      return /^[0-9a-f-]{36}$/.test(decoded.id) ? decoded : null;
    } catch {
      return null;
    }
  };
  const unpadded = encodeGlobalID('Client', uuid).replace(/=+$/, '');
  const samples = [
    '',
    '%%%',
    unpadded,
    Buffer.from(`:${uuid}`).toString('base64'),
    Buffer.from(`Client:`).toString('base64'),
    Buffer.from(`9Client:${uuid}`).toString('base64'),
    Buffer.from(`Cli-ent:${uuid}`).toString('base64'),
    Buffer.from(`Client:${uuid}:extra`).toString('base64'),
    Buffer.from(`Client:${uuid}`).toString('base64url'),
    ...Object.values(badIds()),
  ];
  for (const sample of samples) assert.deepEqual(parseGlobalId(sample), plugin(sample), JSON.stringify(sample));
});
