// Search texts match literally; names cannot hide their real order behind bidi
// controls; a deactivated client or user gets no new keys.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setClientActive } from '../src/domain/clients.ts';
import { setUserActive } from '../src/domain/users.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

/** The names in a connection of the answer, sorted. */
function names(connection: { edges: { node: { name: string } }[] } | null | undefined): string[] {
  assert.ok(connection, 'the answer has no such connection');
  return connection.edges.map((e) => e.node.name).sort();
}

test('% and _ in a search match themselves, not any text', async () => {
  for (const name of ['50% off', '50x off', 'snake_case', 'snakeXcase', 'back\\slash', 'backXslash']) await lumen.client(admin, name);
  const search = async (text: string) =>
    names(
      (
        await lumen.gql(
          graphql(`
            query SearchAndNames_Clients($s: String) {
              clients(search: $s) {
                edges {
                  node {
                    name
                  }
                }
              }
            }
          `),
          { s: text },
          admin,
        )
      ).data?.clients,
    );
  assert.deepEqual(await search('50%'), ['50% off']);
  assert.deepEqual(await search('e_c'), ['snake_case']);
  assert.deepEqual(await search('%'), ['50% off']);
  assert.deepEqual(await search('_'), ['snake_case']);
  assert.deepEqual(await search('k\\s'), ['back\\slash']);
  assert.deepEqual(await search('OFF'), ['50% off', '50x off'], 'still case-insensitive');

  const people = await lumen.gql(`{ users(search: "%") { email } }`, {}, admin);
  assert.deepEqual(people, { data: { users: [] } }, 'no user has % in their name or email');

  const client = await lumen.client(admin, 'Keys');
  for (const name of ['ci_runner', 'ciXrunner']) {
    assert.ok(
      !(
        await lumen.gql(
          `mutation($c: ID!, $n: String!) { createApiKey(input: { clientId: $c, name: $n }) { secret } }`,
          { c: client.globalId, n: name },
          admin,
        )
      ).errors,
    );
  }
  const keys = await lumen.gql(
    graphql(`
      query SearchAndNames_Keys($id: ID!) {
        client(id: $id) {
          apiKeys(search: "i_r") {
            edges {
              node {
                name
              }
            }
          }
        }
      }
    `),
    { id: client.globalId },
    admin,
  );
  assert.deepEqual(names(keys.data?.client?.apiKeys), ['ci_runner']);
});

test('names with bidirectional control characters are refused', async () => {
  for (const control of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
    const result = await lumen.gql(
      `mutation($n: String!) { createClient(input: { name: $n }) { client { id } } }`,
      { n: `invoice${control}fdp.exe` },
      admin,
    );
    assert.equal(result.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `U+${control.codePointAt(0)!.toString(16)}`);
    assert.match(result.errors![0].message, /bidirectional control characters/);
  }
  const client = await lumen.client(admin, 'Bidi');
  const key = await lumen.gql(
    `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "prod\u202Eved" }) { secret } }`,
    { c: client.globalId },
    admin,
  );
  assert.equal(key.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.equal(await lumen.prisma.client.count({ where: { name: { contains: 'fdp' } } }), 0);
  // Right-to-left text itself is welcome.
  assert.ok(!(await lumen.gql(`mutation { createClient(input: { name: "מרכז חישוב" }) { client { id } } }`, {}, admin)).errors);
});

test("a deactivated client's managers (and admins) cannot create keys for it, and viewerCan says so", async () => {
  const manager = await lumen.user();
  const client = await lumen.client(admin, 'Retired');
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
  const can = async () =>
    (
      await lumen.gql(
        graphql(`
          query SearchAndNames_ViewerCan($id: ID!) {
            client(id: $id) {
              viewerCan {
                createApiKey
              }
            }
          }
        `),
        { id: client.globalId },
        manager,
      )
    ).data?.client?.viewerCan.createApiKey;
  assert.equal(await can(), true);
  await setClientActive(admin.viewer, client.id, false);
  assert.equal(await can(), false);
  for (const as of [manager, admin]) {
    const result = await lumen.gql(
      `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "trap" }) { secret } }`,
      { c: client.globalId },
      as,
    );
    assert.equal(result.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(result.errors![0].message, /deactivated/);
  }
  assert.equal(await lumen.prisma.apiKey.count({ where: { clientId: client.id } }), 0);
  await setClientActive(admin.viewer, client.id, true);
  assert.equal(await can(), true);
});

test('a deactivated user gets no new personal key, not even from an admin', async () => {
  const { createApiKey } = await import('../src/domain/apiKeys.ts');
  const user = await lumen.user();
  await setUserActive(admin.viewer, user.id, false);
  await assert.rejects(createApiKey(admin.viewer, { userId: user.id }, { name: 'trap' }), /deactivated/);
  assert.equal(await lumen.prisma.apiKey.count({ where: { userId: user.id } }), 0);
});
