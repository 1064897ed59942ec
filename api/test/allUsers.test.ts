// The Users page's API: every user by name, with search, paging and deactivated users on
// request; each user's clients, last sign-in, sessions and tokens for admins, who may end them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAccessToken } from '../src/domain/auth.ts';
import { createUser, setUserActive } from '../src/domain/users.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
interface Listed {
  id: string;
  name: string;
  email: string;
}
/** Named so that a search for "Roster" finds exactly them; two share a name, so the id decides their order. */
let roster: Listed[];

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  roster = [];
  const names = ['Roster Dana', 'Roster Ann', 'Roster Carl', 'Roster Ann', 'Roster Bea'];
  for (const [i, name] of names.entries()) roster.push(await createUser(admin.viewer, { name, email: `roster${i}@example.org` }));
  await setUserActive(admin.viewer, roster[4].id, false);
});
after(() => lumen.close());

interface Page {
  allUsers: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null };
    edges: { cursor: string; node: { id: string; name: string; active: boolean } }[];
  };
}
const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $search: String, $all: Boolean) {
  allUsers(first: $first, after: $after, last: $last, before: $before, search: $search, includeDeactivated: $all) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    edges { cursor node { id name active } }
  }
}`;
const page = async (variables: Record<string, unknown>) => assertOk((await lumen.gql(PAGE, variables, admin)) as GqlResult<Page>).allUsers;

/** The expected order: by name, then by id (uuid v7, so creation order within a name). */
const byNameThenId = (users: Listed[]) =>
  [...users].sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1)).map((u) => gid('User', u.id));

test('active users by name then id; search matches name or email; deactivated ones on request', async () => {
  const active = roster.filter((_u, i) => i !== 4);
  const listed = await page({ search: 'roster' });
  assert.equal(listed.totalCount, 4);
  assert.deepEqual(
    listed.edges.map((e) => e.node.id),
    byNameThenId(active),
  );
  const all = await page({ search: 'ROSTER', all: true });
  assert.equal(all.totalCount, 5);
  assert.deepEqual(
    all.edges.map((e) => e.node.id),
    byNameThenId(roster),
  );
  assert.equal(all.edges.find((e) => e.node.name === 'Roster Bea')?.node.active, false);
  // By email too, and literally: % is not a wildcard.
  assert.deepEqual(
    (await page({ search: roster[2].email })).edges.map((e) => e.node.name),
    ['Roster Carl'],
  );
  assert.equal((await page({ search: 'roster%' })).totalCount, 0);
  // Without a search, everyone active, the admin included.
  const everyone = await page({ first: 100 });
  assert.equal(everyone.totalCount, await lumen.prisma.user.count({ where: { active: true } }));
  assert.ok(everyone.edges.some((e) => e.node.id === admin.globalId));
});

test('pages forward and backward without gaps or overlaps, with a stable total', async () => {
  const expected = byNameThenId(roster);
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const next: Page['allUsers'] = await page({ search: 'Roster', all: true, first: 2, after });
    assert.equal(next.totalCount, 5);
    seen.push(...next.edges.map((e) => e.node.id));
    if (!next.pageInfo.hasNextPage) break;
    after = next.pageInfo.endCursor;
  }
  assert.deepEqual(seen, expected);
  const last = await page({ search: 'Roster', all: true, last: 2 });
  assert.deepEqual(
    last.edges.map((e) => e.node.id),
    expected.slice(3),
  );
  const before = await page({ search: 'Roster', all: true, last: 2, before: last.pageInfo.startCursor });
  assert.deepEqual(
    before.edges.map((e) => e.node.id),
    expected.slice(1, 3),
  );
});

test("a user's managed clients (by name), and when they last signed in", async () => {
  const user = await lumen.user();
  const b = await lumen.client(admin, 'Roster client B');
  const a = await lumen.client(admin, 'Roster client A');
  await lumen.prisma.clientManager.createMany({ data: [b, a].map((c) => ({ clientId: c.id, userId: user.id })) });
  const QUERY = 'query($u: ID!) { node(id: $u) { ... on User { managedClients { name } lastSignInAt } } }';
  const never = assertOk(await lumen.gql(QUERY, { u: user.globalId }, admin)) as {
    node: { managedClients: { name: string }[]; lastSignInAt: string | null };
  };
  assert.deepEqual(never.node, { managedClients: [{ name: 'Roster client A' }, { name: 'Roster client B' }], lastSignInAt: null });
  await lumen.session(user);
  await lumen.session(user);
  const newest = await lumen.prisma.session.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
  // The user sees their own; the admin sees anyone's.
  for (const as of [user, admin]) {
    const seen = assertOk(await lumen.gql(QUERY, { u: user.globalId }, as)) as typeof never;
    assert.equal(seen.node.lastSignInAt, newest.createdAt.toISOString());
  }
  // A signed-out session still was a sign-in.
  await lumen.prisma.session.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
  assert.equal(
    (assertOk(await lumen.gql(QUERY, { u: user.globalId }, admin)) as typeof never).node.lastSignInAt,
    newest.createdAt.toISOString(),
  );
});

test("an admin sees and ends another user's sessions and admin-API tokens; a manager cannot", async () => {
  const user = await lumen.user();
  const other = await lumen.user();
  const { cookie } = await lumen.session(user);
  const { accessToken, token } = await createAccessToken(null, user.id, { name: 'laptop' });
  const LIST = 'query($u: ID!) { node(id: $u) { ... on User { sessions { id current } accessTokens { id name } } } }';
  const listed = assertOk(await lumen.gql(LIST, { u: user.globalId }, admin)) as {
    node: { sessions: { id: string; current: boolean }[]; accessTokens: { id: string; name: string }[] };
  };
  assert.equal(listed.node.sessions.length, 1);
  assert.equal(listed.node.sessions[0].current, false);
  assert.deepEqual(listed.node.accessTokens.map((t) => t.name).sort(), ['laptop', 'test']);
  const sessionId = listed.node.sessions[0].id;
  const tokenId = gid('AccessToken', accessToken.id);
  // Another user gets the same answer as for a missing id, and nothing changes.
  const REVOKE_SESSION = 'mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }';
  const REVOKE_TOKEN = 'mutation($id: ID!) { revokeAccessToken(input: { id: $id }) { accessToken { id } } }';
  assertErrorCode(await lumen.gql(REVOKE_SESSION, { id: sessionId }, other), 'BAD_USER_INPUT', /No active session of yours/);
  assertErrorCode(await lumen.gql(REVOKE_TOKEN, { id: tokenId }, other), 'BAD_USER_INPUT', /No access token/);
  assert.ok(assertOk(await lumen.gql('{ viewer { id } }', {}, { cookie })));
  assert.ok(assertOk(await lumen.gql('{ viewer { id } }', {}, { token })));
  // The admin ends both; they stop working at once.
  assert.deepEqual(assertOk(await lumen.gql(REVOKE_SESSION, { id: sessionId }, admin)), { revokeSession: { revokedSessionId: sessionId } });
  assert.ok(assertOk(await lumen.gql(REVOKE_TOKEN, { id: tokenId }, admin)));
  assertErrorCode(await lumen.gql('{ viewer { id } }', {}, { cookie }), 'UNAUTHENTICATED');
  assertErrorCode(await lumen.gql('{ viewer { id } }', {}, { token }), 'UNAUTHENTICATED');
  // Ending someone else's session is audited (one's own sign-outs are not).
  const audit = await lumen.prisma.auditEntry.findFirstOrThrow({ where: { action: 'session.revoke' }, orderBy: { id: 'desc' } });
  assert.equal(audit.actorId, admin.id);
  assert.deepEqual(audit.details, { userId: user.id });
  // Ended twice: the same answer as a missing one.
  assertErrorCode(await lumen.gql(REVOKE_SESSION, { id: sessionId }, admin), 'BAD_USER_INPUT', /No active session with id/);
});

test('a page of users costs the same number of queries whatever its length (last sign-in, clients, pools batched)', async () => {
  for (const user of roster)
    await lumen.prisma.clientManager.create({ data: { clientId: (await lumen.client(admin)).id, userId: user.id } });
  const QUERY = `query($first: Int) { allUsers(first: $first, search: "Roster", includeDeactivated: true) { totalCount edges { node {
    name lastSignInAt managedClients { name } viewerCan { setAdmin setActive setCoinPool revokeSessions }
    coinPool { state largestRecentReservation }
  } } } }`;
  const cost = async (first: number) => lumen.countQueries(async () => assertOk(await lumen.gql(QUERY, { first }, admin)));
  const one = await cost(1);
  const five = await cost(5);
  assert.equal(five.count, one.count, `queries for 1 user:\n${one.statements.join('\n')}\nfor 5:\n${five.statements.join('\n')}`);
});
