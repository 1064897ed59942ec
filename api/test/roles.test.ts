// Every row of the role table, for every kind of caller: allowed calls change
// what they should, refused calls get FORBIDDEN or UNAUTHENTICATED and change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';
import { caller, castOfRoles, managedClient, ROLES, type Cast, type ManagedClient, type People, type Role } from './support/roles.ts';

let lumen: TestLumen;
let admin: TestUser;
let people: People;
let cast: Cast;

before(async () => {
  lumen = await startLumen();
  cast = await castOfRoles(lumen);
  people = cast.people;
  admin = people.admin;
});
after(() => lumen.close());

/** A fresh client managed by `manager` (and by the deactivated user, and a candidate the admin can remove), with one key. */
const fixture = (): Promise<ManagedClient> => managedClient(lumen, people);

const asRole = (role: Role) => caller(people, role);

interface Action<T = unknown> {
  name: string;
  allowed: Role[];
  run(f: ManagedClient, as: TestUser | null): Promise<GqlResult<T>>;
  /** What an allowed call must have done. */
  check(f: ManagedClient, result: GqlResult<T>): Promise<void> | void;
}

/** One row of the table, its result typed by its own document. */
function action<T>(row: Action<T>): Action {
  return { ...row, check: (f, result) => row.check(f, result as GqlResult<T>) };
}

const MANAGER_AND_ADMIN: Role[] = ['manager', 'admin'];
const ADMIN: Role[] = ['admin'];

const actions: Action[] = [
  action({
    name: 'createApiKey for the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_CreateApiKey($c: ID!) {
            createApiKey(input: { clientId: $c, name: "new" }) {
              secret
              apiKey {
                id
              }
            }
          }
        `),
        { c: f.client.globalId },
        as,
      ),
    check: async (f) => assert.equal(await lumen.prisma.apiKey.count({ where: { clientId: f.client.id } }), 2),
  }),
  action({
    name: 'revokeApiKey of the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_RevokeApiKey($id: ID!) {
            revokeApiKey(input: { id: $id }) {
              apiKey {
                active
              }
            }
          }
        `),
        { id: f.key.globalId },
        as,
      ),
    check: (_f, r) => assert.equal(assertOk(r).revokeApiKey.apiKey.active, false),
  }),
  action({
    name: 'grantModelConsent for the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_GrantModelConsent($c: ID!, $m: ID!) {
            grantModelConsent(input: { clientId: $c, modelId: $m }) {
              modelAccess {
                status
              }
            }
          }
        `),
        { c: f.client.globalId, m: cast.consentModel.globalId },
        as,
      ),
    check: (_f, r) => assert.equal(assertOk(r).grantModelConsent.modelAccess.status, 'CONSENTED'),
  }),
  action({
    name: 'addClientManager',
    allowed: ADMIN,
    run: async (f, as) => {
      const newcomer = await lumen.prisma.user.create({ data: { email: `new-${f.client.id}@example.org`, name: 'Newcomer' } });
      return lumen.gql(
        graphql(`
          mutation Roles_AddClientManager($c: ID!, $u: ID!) {
            addClientManager(input: { clientId: $c, userId: $u }) {
              client {
                managers {
                  user {
                    email
                  }
                }
              }
            }
          }
        `),
        { c: f.client.globalId, u: gid('User', newcomer.id) },
        as,
      );
    },
    check: (f, r) => assert.ok(assertOk(r).addClientManager.client.managers.some((m) => m.user.email === `new-${f.client.id}@example.org`)),
  }),
  action({
    name: 'removeClientManager',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_RemoveClientManager($c: ID!, $u: ID!) {
            removeClientManager(input: { clientId: $c, userId: $u }) {
              client {
                id
              }
            }
          }
        `),
        { c: f.client.globalId, u: f.member.globalId },
        as,
      ),
    check: async (f) => assert.equal(await lumen.prisma.clientManager.count({ where: { clientId: f.client.id, userId: f.member.id } }), 0),
  }),
  action({
    name: 'setClientActive',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_SetClientActive($c: ID!) {
            setClientActive(input: { clientId: $c, active: false }) {
              client {
                active
              }
            }
          }
        `),
        { c: f.client.globalId },
        as,
      ),
    check: (_f, r) => assert.equal(assertOk(r).setClientActive.client.active, false),
  }),
  action({
    name: 'createClient',
    allowed: ADMIN,
    run: (_f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_CreateClient {
            createClient(input: { name: "Created by role test" }) {
              client {
                id
                coinPool {
                  state
                }
              }
            }
          }
        `),
        {},
        as,
      ),
    check: (_f, r) => assert.equal(assertOk(r).createClient.client.coinPool.state, 'NOT_CONFIGURED'),
  }),
  action({
    name: 'setClientCoinPool',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_SetClientCoinPool($c: ID!) {
            setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "100", balance: "40" }) {
              client {
                coinPool {
                  state
                  balance
                }
              }
            }
          }
        `),
        { c: f.client.globalId },
        as,
      ),
    check: (_f, r) => assert.deepEqual(assertOk(r).setClientCoinPool.client.coinPool, { state: 'LIMITED', balance: '40' }),
  }),
  action({
    name: 'setClientModelAccess',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_SetClientModelAccess($c: ID!, $m: ID!) {
            setClientModelAccess(input: { clientId: $c, modelId: $m, access: BLOCKED }) {
              client {
                id
              }
            }
          }
        `),
        { c: f.client.globalId, m: cast.consentModel.globalId },
        as,
      ),
    check: async (f) =>
      assert.equal((await lumen.prisma.clientModelAccess.findFirstOrThrow({ where: { clientId: f.client.id } })).access, 'BLOCKED'),
  }),
  action({
    name: 'createModel',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        graphql(`
          mutation Roles_CreateModel($n: String!) {
            createModel(
              input: { name: $n, provider: "echo", upstreamModel: "echo", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }
            ) {
              model {
                name
              }
            }
          }
        `),
        { n: `m-${f.client.id}` },
        as,
      ),
    check: async (f) => assert.ok(await lumen.prisma.model.findUnique({ where: { name: `m-${f.client.id}` } })),
  }),
  action({
    name: 'users (search for the Add Manager dialog)',
    allowed: ADMIN,
    run: (_f, as) =>
      lumen.gql(
        graphql(`
          query Roles_Users {
            users(search: "user") {
              email
            }
          }
        `),
        {},
        as,
      ),
    check: (_f, r) => assert.ok(assertOk(r).users.length > 0),
  }),
];

for (const action of actions) {
  describe(action.name, () => {
    for (const role of ROLES) {
      const allowed = action.allowed.includes(role);
      test(`${role}: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const f = await fixture();
        const before = await lumen.snapshot();
        const result = await action.run(f, asRole(role));
        if (allowed) {
          assertOk(result);
          await action.check(f, result);
          return;
        }
        // users() and mutations creating helper rows before the call are compared from after those rows existed.
        assertErrorCode(result, role === 'anonymous' || role === 'deactivated' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        const afterSnapshot = await lumen.snapshot();
        if (action.name !== 'addClientManager') assert.equal(afterSnapshot, before, 'a refused call changed the database');
        else assert.equal(await lumen.prisma.clientManager.count({ where: { clientId: f.client.id } }), 3);
      });
    }
  });
}

describe('seeing a client, its usage, keys, managers and model access', () => {
  const query = graphql(`
    query Roles_Client($id: ID!) {
      client(id: $id) {
        name
        usage {
          requests
        }
        apiKeys {
          totalCount
        }
        managers {
          user {
            id
          }
        }
        modelAccess {
          status
        }
        viewerCan {
          createApiKey
          manageManagers
          setActive
        }
      }
    }
  `);
  for (const role of ROLES) {
    const allowed = MANAGER_AND_ADMIN.includes(role);
    test(`${role}: ${allowed ? 'sees it' : 'gets null'}`, async () => {
      const f = await fixture();
      const result = await lumen.gql(query, { id: f.client.globalId }, asRole(role));
      if (role === 'deactivated') return assertErrorCode(result, 'UNAUTHENTICATED');
      const data = assertOk(result);
      if (!allowed) return assert.equal(data.client, null);
      assert.ok(data.client, 'no client');
      assert.equal(data.client.apiKeys.totalCount, 1);
      assert.equal(data.client.managers.length, 3);
      assert.deepEqual(data.client.viewerCan, { createApiKey: true, manageManagers: role === 'admin', setActive: role === 'admin' });
    });
  }

  test('a node() lookup of a client is guarded like client()', async () => {
    const f = await fixture();
    // Like client(id): null without an error, so the answer does not reveal that the client exists.
    const result = await lumen.gql(
      graphql(`
        query Roles_ClientNode($id: ID!) {
          node(id: $id) {
            ... on Client {
              name
            }
          }
        }
      `),
      { id: f.client.globalId },
      people.stranger,
    );
    assert.deepEqual(result, { data: { node: null } });
  });
});

describe('clients list', () => {
  test('admins see every client; managers only theirs; strangers none', async () => {
    const f = await fixture();
    const query = graphql(`
      query Roles_Clients {
        clients(first: 100) {
          totalCount
          edges {
            node {
              id
            }
          }
        }
      }
    `);
    const forAdmin = assertOk(await lumen.gql(query, {}, admin)).clients;
    assert.ok(forAdmin.edges.some((e) => e.node.id === f.client.globalId));
    assert.equal(forAdmin.totalCount, await lumen.prisma.client.count());
    const forManager = assertOk(await lumen.gql(query, {}, people.manager)).clients;
    assert.equal(forManager.totalCount, await lumen.prisma.clientManager.count({ where: { userId: people.manager.id } }));
    assert.ok(!forManager.edges.some((e) => e.node.id === gid('Client', cast.otherClient.id)));
    assert.equal(assertOk(await lumen.gql(query, {}, people.stranger)).clients.totalCount, 0);
    assertErrorCode(await lumen.gql(query, {}, null), 'UNAUTHENTICATED');
  });
});

describe('personal keys and consent', () => {
  test('every signed-in user manages their own keys and consent', async () => {
    const me = await lumen.user();
    const key = assertOk(
      await lumen.gql(
        graphql(`
          mutation Roles_CreatePersonalKey {
            createApiKey(input: { name: "laptop" }) {
              secret
              apiKey {
                id
              }
            }
          }
        `),
        {},
        me,
      ),
    );
    const consent = assertOk(
      await lumen.gql(
        graphql(`
          mutation Roles_GrantPersonalConsent($m: ID!) {
            grantModelConsent(input: { modelId: $m }) {
              modelAccess {
                status
              }
            }
          }
        `),
        { m: cast.consentModel.globalId },
        me,
      ),
    );
    assert.equal(consent.grantModelConsent.modelAccess.status, 'CONSENTED');
    const profile = assertOk(
      await lumen.gql(
        graphql(`
          query Roles_Profile {
            viewer {
              apiKeys {
                totalCount
              }
              modelAccess {
                model {
                  name
                }
                status
              }
            }
          }
        `),
        {},
        me,
      ),
    );
    assert.equal(profile.viewer.apiKeys.totalCount, 1);
    assert.equal(profile.viewer.modelAccess.find((m) => m.model.name === 'consent-model')?.status, 'CONSENTED');
    // Somebody else cannot revoke it, an admin can.
    const other = await lumen.user();
    assertErrorCode(
      await lumen.gql(
        `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`,
        { id: key.createApiKey.apiKey.id },
        other,
      ),
      'FORBIDDEN',
    );
    assertOk(
      await lumen.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: key.createApiKey.apiKey.id }, me),
    );
  });

  test("another user's personal data is not readable", async () => {
    const me = await lumen.user();
    const other = await lumen.user();
    const result = await lumen.gql(
      `query($id: ID!) { node(id: $id) { ... on User { email apiKeys { totalCount } } } }`,
      { id: other.globalId },
      me,
    );
    assertErrorCode(result, 'FORBIDDEN');
  });

  test('anonymous callers are asked to sign in', async () => {
    assertErrorCode(await lumen.gql(`mutation { createApiKey(input: { name: "x" }) { secret } }`, {}, null), 'UNAUTHENTICATED');
    assertErrorCode(await lumen.gql(`query { viewer { email } }`, {}, null), 'UNAUTHENTICATED');
  });
});
