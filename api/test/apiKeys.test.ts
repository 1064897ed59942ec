// API keys: format, checksum, hint, a secret shown once, revocation kept on record,
// listing and search; and model keys never open the admin API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSecret, isWellFormed } from '../src/domain/secrets.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const CREATE = graphql(`
  mutation ApiKeys_Create($c: ID, $n: String!) {
    createApiKey(input: { clientId: $c, name: $n }) {
      secret
      apiKey {
        id
        name
        hint
        active
        requests
        inputTokens
        outputTokens
        totalTokens
        coinsSpent
        lastUsedAt
        createdAt
        revokedAt
      }
    }
  }
`);

test('a new key has the sk_ format, a valid checksum, its hint, and only a hash stored', async () => {
  const client = await lumen.client(admin);
  const { createApiKey } = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: 'production' }, admin));
  const secret = createApiKey.secret;
  assert.match(secret, /^sk_[A-Za-z0-9_-]{49}$/);
  assert.ok(isWellFormed('sk', secret));
  assert.equal(createApiKey.apiKey.hint, `${secret.slice(0, 4)}...${secret.slice(-4)}`);
  assert.deepEqual(
    { ...createApiKey.apiKey, id: undefined, createdAt: undefined },
    {
      id: undefined,
      createdAt: undefined,
      name: 'production',
      hint: createApiKey.apiKey.hint,
      active: true,
      requests: 0,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      coinsSpent: '0',
      lastUsedAt: null,
      revokedAt: null,
    },
  );
  const row = await lumen.prisma.apiKey.findFirstOrThrow({ where: { clientId: client.id } });
  assert.equal(row.hash, hashSecret(secret));
  assert.ok(!Object.values(row).some((v) => String(v).includes(secret.slice(3))), 'the secret itself is stored');
  // Nothing can read the secret again.
  const again = assertOk(
    await lumen.gql(
      graphql(`
        query ApiKeys_Hints($id: ID!) {
          client(id: $id) {
            apiKeys {
              edges {
                node {
                  hint
                  name
                }
              }
            }
          }
        }
      `),
      { id: client.globalId },
      admin,
    ),
  );
  assert.ok(!JSON.stringify(again).includes(secret));
  const audit = await lumen.prisma.auditEntry.findMany();
  assert.ok(!JSON.stringify(audit).includes(secret), 'the audit log must not hold the secret');
});

test('a changed character breaks the checksum, and keys are unique', async () => {
  const client = await lumen.client(admin);
  const secrets = new Set<string>();
  for (let i = 0; i < 5; i++) {
    const { createApiKey } = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: `k${i}` }, admin));
    secrets.add(createApiKey.secret);
  }
  assert.equal(secrets.size, 5);
  const secret = [...secrets][0];
  const flipped = secret.slice(0, 10) + (secret[10] === 'a' ? 'b' : 'a') + secret.slice(11);
  assert.equal(isWellFormed('sk', flipped), false);
  assert.equal(isWellFormed('sk', secret.slice(0, -1)), false);
  assert.equal(isWellFormed('lat', secret), false, 'a model key is not an admin token');
});

test('revoked keys stay on record, listed only with includeRevoked, and cannot be revoked twice', async () => {
  const client = await lumen.client(admin);
  const ids: string[] = [];
  for (const name of ['production', 'staging', 'ci-runner']) {
    ids.push(assertOk(await lumen.gql(CREATE, { c: client.globalId, n: name }, admin)).createApiKey.apiKey.id);
  }
  const revoked = assertOk(
    await lumen.gql(
      graphql(`
        mutation ApiKeys_Revoke($id: ID!) {
          revokeApiKey(input: { id: $id }) {
            apiKey {
              name
              active
              revokedAt
            }
          }
        }
      `),
      { id: ids[1] },
      admin,
    ),
  );
  assert.equal(revoked.revokeApiKey.apiKey.active, false);
  assert.ok(revoked.revokeApiKey.apiKey.revokedAt);
  const list = async (includeRevoked: boolean) =>
    assertOk(
      await lumen.gql(
        graphql(`
          query ApiKeys_List($id: ID!, $r: Boolean) {
            client(id: $id) {
              apiKeys(includeRevoked: $r) {
                totalCount
                edges {
                  node {
                    name
                    active
                  }
                }
              }
            }
          }
        `),
        { id: client.globalId, r: includeRevoked },
        admin,
      ),
    ).client!.apiKeys;
  const active = await list(false);
  assert.deepEqual(active.edges.map((e) => e.node.name).sort(), ['ci-runner', 'production']);
  assert.equal(active.totalCount, 2);
  const all = await list(true);
  assert.equal(all.totalCount, 3);
  assert.deepEqual(all.edges.find((e) => e.node.name === 'staging')!.node.active, false);
  assertErrorCode(
    await lumen.gql(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`, { id: ids[1] }, admin),
    'BAD_USER_INPUT',
    /already revoked/,
  );
  const row = await lumen.prisma.apiKey.findFirstOrThrow({ where: { name: 'staging', clientId: client.id } });
  assert.equal(row.revokedById, admin.id);
});

test('key search matches name or hint, case-insensitively, and pages with cursors', async () => {
  const client = await lumen.client(admin);
  const secrets: Record<string, string> = {};
  for (const name of ['Production EU', 'production US', 'staging', 'ci-runner']) {
    secrets[name] = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: name }, admin)).createApiKey.secret;
  }
  const search = async (text: string) =>
    assertOk(
      await lumen.gql(
        graphql(`
          query ApiKeys_Search($id: ID!, $s: String) {
            client(id: $id) {
              apiKeys(search: $s) {
                edges {
                  node {
                    name
                  }
                }
              }
            }
          }
        `),
        { id: client.globalId, s: text },
        admin,
      ),
    )
      .client!.apiKeys.edges.map((e) => e.node.name)
      .sort();
  assert.deepEqual(await search('PRODUCTION'), ['Production EU', 'production US']);
  assert.deepEqual(await search(secrets.staging.slice(-4)), ['staging']);
  assert.deepEqual(await search('nothing like this'), []);
  const page = async (after: string | null) =>
    assertOk(
      await lumen.gql(
        graphql(`
          query ApiKeys_Page($id: ID!, $a: String) {
            client(id: $id) {
              apiKeys(first: 3, after: $a) {
                pageInfo {
                  hasNextPage
                  endCursor
                }
                edges {
                  node {
                    name
                  }
                }
              }
            }
          }
        `),
        { id: client.globalId, a: after },
        admin,
      ),
    ).client!.apiKeys;
  const first = await page(null);
  assert.equal(first.edges.length, 3);
  assert.equal(first.pageInfo.hasNextPage, true);
  const second = await page(first.pageInfo.endCursor);
  assert.equal(second.edges.length, 1);
  assert.equal(second.pageInfo.hasNextPage, false);
});

test('user search for the Add Manager dialog matches name or email', async () => {
  await lumen.user({ name: 'Grace Hopper' });
  await lumen.user({ name: 'Alan Turing' });
  const names = async (search: string) =>
    assertOk(
      await lumen.gql(
        graphql(`
          query ApiKeys_Users($s: String!) {
            users(search: $s) {
              name
            }
          }
        `),
        { s: search },
        admin,
      ),
    ).users.map((u) => u.name);
  assert.deepEqual(await names('grace'), ['Grace Hopper']);
  assert.deepEqual(await names('alan.turing@'), ['Alan Turing']);
  assert.deepEqual(await names('zzz-no-one'), []);
});

test('a model key (sk_) is refused by the admin API, and so are unknown tokens', async () => {
  const client = await lumen.client(admin);
  const secret = assertOk(await lumen.gql(CREATE, { c: client.globalId, n: 'x' }, admin)).createApiKey.secret;
  const withKey = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  assert.equal(withKey.status, 401);
  const body = (await withKey.json()) as GqlResult;
  assert.equal(body.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  assert.match(body.errors?.[0].message ?? '', /model API key/);
  assert.equal(body.data ?? null, null);
  const forged = await lumen.gql('{ viewer { email } }', {}, { token: admin.token.slice(0, -1) + (admin.token.endsWith('A') ? 'B' : 'A') });
  assertErrorCode(forged, 'UNAUTHENTICATED');
  const good = assertOk(
    await lumen.gql(
      graphql(`
        query ApiKeys_Viewer {
          viewer {
            email
            isAdmin
          }
        }
      `),
      {},
      admin,
    ),
  );
  assert.deepEqual(good.viewer, { email: admin.email, isAdmin: true });
});
