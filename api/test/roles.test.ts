// Every row of the role table, for every kind of caller: allowed calls change
// what they should, refused calls get FORBIDDEN or UNAUTHENTICATED and change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { createModel } from '../src/domain/models.ts';
import { setUserActive } from '../src/domain/users.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

type Role = 'anonymous' | 'deactivated' | 'stranger' | 'otherManager' | 'manager' | 'admin';
const ROLES: Role[] = ['anonymous', 'deactivated', 'stranger', 'otherManager', 'manager', 'admin'];

let lumen: TestLumen;
let admin: TestUser;
let people: Record<Exclude<Role, 'anonymous'>, TestUser>;
let consentModelId: string;
let otherClientId: string;

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  const deactivated = await lumen.user();
  people = { admin, deactivated, stranger: await lumen.user(), otherManager: await lumen.user(), manager: await lumen.user() };
  const other = await lumen.client(admin, 'Somebody else');
  otherClientId = other.id;
  await lumen.prisma.clientManager.create({ data: { clientId: other.id, userId: people.otherManager.id } });
  const model = await createModel(admin.viewer, {
    name: 'consent-model',
    provider: 'echo',
    upstreamModel: 'echo',
    inputCoinsPerMillion: '1',
    outputCoinsPerMillion: '2',
    needsConsent: true,
    consentNotice: 'Be careful.',
  });
  consentModelId = model.id;
  await setUserActive(admin.viewer, deactivated.id, false);
});
after(() => lumen.close());

interface Fixture {
  client: { id: string; globalId: string };
  keyId: string;
  /** A user the admin can add or remove as manager. */
  candidate: TestUser;
}

/** A fresh client managed by `manager` (and by the deactivated user), with one key. */
async function fixture(): Promise<Fixture> {
  const client = await lumen.client(admin);
  await lumen.prisma.clientManager.createMany({
    data: [
      { clientId: client.id, userId: people.manager.id },
      { clientId: client.id, userId: people.deactivated.id },
    ],
  });
  const candidate = await lumen.user();
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: candidate.id } });
  const { apiKey } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'existing' });
  return { client, keyId: gid('ApiKey', apiKey.id), candidate };
}

const asRole = (role: Role) => (role === 'anonymous' ? null : people[role]);

interface Action {
  name: string;
  allowed: Role[];
  run(f: Fixture, as: TestUser | null): Promise<GqlResult>;
  /** What an allowed call must have done. */
  check(f: Fixture, result: GqlResult): Promise<void> | void;
}

const MANAGER_AND_ADMIN: Role[] = ['manager', 'admin'];
const ADMIN: Role[] = ['admin'];

const actions: Action[] = [
  {
    name: 'createApiKey for the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "new" }) { secret apiKey { id } } }`,
        { c: f.client.globalId },
        as,
      ),
    check: async (f) => assert.equal(await lumen.prisma.apiKey.count({ where: { clientId: f.client.id } }), 2),
  },
  {
    name: 'revokeApiKey of the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) => lumen.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { active } } }`, { id: f.keyId }, as),
    check: (_f, r) => assert.equal((r.data as any).revokeApiKey.apiKey.active, false),
  },
  {
    name: 'grantModelConsent for the client',
    allowed: MANAGER_AND_ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!, $m: ID!) { grantModelConsent(input: { clientId: $c, modelId: $m }) { modelAccess { status } } }`,
        { c: f.client.globalId, m: gid('Model', consentModelId) },
        as,
      ),
    check: (_f, r) => assert.equal((r.data as any).grantModelConsent.modelAccess.status, 'CONSENTED'),
  },
  {
    name: 'addClientManager',
    allowed: ADMIN,
    run: async (f, as) => {
      const newcomer = await lumen.prisma.user.create({ data: { email: `new-${f.client.id}@example.org`, name: 'Newcomer' } });
      return lumen.gql(
        `mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { managers { user { email } } } } }`,
        { c: f.client.globalId, u: gid('User', newcomer.id) },
        as,
      );
    },
    check: (f, r) =>
      assert.ok((r.data as any).addClientManager.client.managers.some((m: any) => m.user.email === `new-${f.client.id}@example.org`)),
  },
  {
    name: 'removeClientManager',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!, $u: ID!) { removeClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
        { c: f.client.globalId, u: f.candidate.globalId },
        as,
      ),
    check: async (f) =>
      assert.equal(await lumen.prisma.clientManager.count({ where: { clientId: f.client.id, userId: f.candidate.id } }), 0),
  },
  {
    name: 'setClientActive',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!) { setClientActive(input: { clientId: $c, active: false }) { client { active } } }`,
        { c: f.client.globalId },
        as,
      ),
    check: (_f, r) => assert.equal((r.data as any).setClientActive.client.active, false),
  },
  {
    name: 'createClient',
    allowed: ADMIN,
    run: (_f, as) =>
      lumen.gql(`mutation { createClient(input: { name: "Created by role test" }) { client { id coinPool { state } } } }`, {}, as),
    check: (_f, r) => assert.equal((r.data as any).createClient.client.coinPool.state, 'NOT_CONFIGURED'),
  },
  {
    name: 'setClientCoinPool',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "100", balance: "40" }) { client { coinPool { state balance } } } }`,
        { c: f.client.globalId },
        as,
      ),
    check: (_f, r) => assert.deepEqual((r.data as any).setClientCoinPool.client.coinPool, { state: 'LIMITED', balance: '40' }),
  },
  {
    name: 'setClientModelAccess',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($c: ID!, $m: ID!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: BLOCKED }) { client { id } } }`,
        { c: f.client.globalId, m: gid('Model', consentModelId) },
        as,
      ),
    check: async (f) =>
      assert.equal((await lumen.prisma.clientModelAccess.findFirstOrThrow({ where: { clientId: f.client.id } })).access, 'BLOCKED'),
  },
  {
    name: 'createModel',
    allowed: ADMIN,
    run: (f, as) =>
      lumen.gql(
        `mutation($n: String!) { createModel(input: { name: $n, provider: "echo", upstreamModel: "echo", inputCoinsPerMillion: "1", outputCoinsPerMillion: "1" }) { model { name } } }`,
        { n: `m-${f.client.id}` },
        as,
      ),
    check: async (f) => assert.ok(await lumen.prisma.model.findUnique({ where: { name: `m-${f.client.id}` } })),
  },
  {
    name: 'users (search for the Add Manager dialog)',
    allowed: ADMIN,
    run: (_f, as) => lumen.gql(`query { users(search: "user") { email } }`, {}, as),
    check: (_f, r) => assert.ok((r.data as any).users.length > 0),
  },
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
  const query = `query($id: ID!) { client(id: $id) { name usage { requests } apiKeys { totalCount } managers { user { id } } modelAccess { status } viewerCan { createApiKey manageManagers setActive } } }`;
  for (const role of ROLES) {
    const allowed = MANAGER_AND_ADMIN.includes(role);
    test(`${role}: ${allowed ? 'sees it' : 'gets null'}`, async () => {
      const f = await fixture();
      const result = await lumen.gql(query, { id: f.client.globalId }, asRole(role));
      if (role === 'deactivated') return assertErrorCode(result, 'UNAUTHENTICATED');
      const data = assertOk(result) as any;
      if (!allowed) return assert.equal(data.client, null);
      assert.equal(data.client.apiKeys.totalCount, 1);
      assert.equal(data.client.managers.length, 3);
      assert.deepEqual(data.client.viewerCan, { createApiKey: true, manageManagers: role === 'admin', setActive: role === 'admin' });
    });
  }

  test('a node() lookup of a client is guarded like client()', async () => {
    const f = await fixture();
    // Like client(id): null without an error, so the answer does not reveal that the client exists.
    const result = await lumen.gql(
      `query($id: ID!) { node(id: $id) { ... on Client { name } } }`,
      { id: f.client.globalId },
      people.stranger,
    );
    assert.deepEqual(result, { data: { node: null } });
  });
});

describe('clients list', () => {
  test('admins see every client; managers only theirs; strangers none', async () => {
    const f = await fixture();
    const query = `query { clients(first: 100) { totalCount edges { node { id } } } }`;
    const forAdmin = (assertOk(await lumen.gql(query, {}, admin)) as any).clients;
    assert.ok(forAdmin.edges.some((e: any) => e.node.id === f.client.globalId));
    assert.equal(forAdmin.totalCount, await lumen.prisma.client.count());
    const forManager = (assertOk(await lumen.gql(query, {}, people.manager)) as any).clients;
    assert.equal(forManager.totalCount, await lumen.prisma.clientManager.count({ where: { userId: people.manager.id } }));
    assert.ok(!forManager.edges.some((e: any) => e.node.id === gid('Client', otherClientId)));
    assert.equal((assertOk(await lumen.gql(query, {}, people.stranger)) as any).clients.totalCount, 0);
    assertErrorCode(await lumen.gql(query, {}, null), 'UNAUTHENTICATED');
  });
});

describe('personal keys and consent', () => {
  test('every signed-in user manages their own keys and consent', async () => {
    const me = await lumen.user();
    const key = assertOk(await lumen.gql(`mutation { createApiKey(input: { name: "laptop" }) { secret apiKey { id } } }`, {}, me)) as any;
    const consent = assertOk(
      await lumen.gql(
        `mutation($m: ID!) { grantModelConsent(input: { modelId: $m }) { modelAccess { status } } }`,
        { m: gid('Model', consentModelId) },
        me,
      ),
    ) as any;
    assert.equal(consent.grantModelConsent.modelAccess.status, 'CONSENTED');
    const profile = assertOk(
      await lumen.gql(`query { viewer { apiKeys { totalCount } modelAccess { model { name } status } } }`, {}, me),
    ) as any;
    assert.equal(profile.viewer.apiKeys.totalCount, 1);
    assert.equal(profile.viewer.modelAccess.find((m: any) => m.model.name === 'consent-model').status, 'CONSENTED');
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
