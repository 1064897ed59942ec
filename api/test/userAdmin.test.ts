// Making and removing admins from the admin API, and the rule that Lumen always keeps an
// active admin: the last one can be neither demoted nor deactivated, even by two admins at once.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { setUserActive } from '../src/domain/users.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type GqlResult, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

// Each test starts with `admin` as the only active admin, also after a test whose race demoted
// `admin` rather than the other (two admins demoting each other: either may win).
beforeEach(async () => {
  await lumen.prisma.user.update({ where: { id: admin.id }, data: { isAdmin: true, active: true } });
  await lumen.prisma.user.updateMany({ where: { isAdmin: true, id: { not: admin.id } }, data: { isAdmin: false } });
});

interface SetAdmin {
  setUserAdmin: { user: { isAdmin: boolean; viewerCan: { setAdmin: boolean; setActive: boolean } } };
}
const SET_ADMIN = `mutation($u: ID!, $a: Boolean!) {
  setUserAdmin(input: { userId: $u, admin: $a }) { user { isAdmin viewerCan { setAdmin setActive } } }
}`;
const setAdmin = (user: TestUser, isAdmin: boolean, as: TestUser) =>
  lumen.gql(SET_ADMIN, { u: user.globalId, a: isAdmin }, as) as Promise<GqlResult<SetAdmin>>;

const auditOf = async (user: TestUser) =>
  (await lumen.prisma.auditEntry.findMany({ where: { targetType: 'User', targetId: user.id }, orderBy: { id: 'asc' } })).map((entry) => [
    entry.action,
    entry.actorId,
  ]);

test('an admin makes a user admin and removes it again: each takes effect at once and is audited', async () => {
  const user = await lumen.user();
  assertErrorCode(await lumen.gql('{ allUsers { totalCount } }', {}, user), 'FORBIDDEN');
  assert.equal(assertOk(await setAdmin(user, true, admin)).setUserAdmin.user.isAdmin, true);
  assert.ok(assertOk(await lumen.gql('{ allUsers { totalCount } }', {}, user)));
  assert.equal(assertOk(await setAdmin(user, false, admin)).setUserAdmin.user.isAdmin, false);
  assertErrorCode(await lumen.gql('{ allUsers { totalCount } }', {}, user), 'FORBIDDEN');
  assert.deepEqual((await auditOf(user)).slice(1), [
    ['user.grantAdmin', admin.id],
    ['user.revokeAdmin', admin.id],
  ]);
});

test('setting what is already set changes nothing and records nothing', async () => {
  const user = await lumen.user();
  const before = await auditOf(user);
  assert.equal(assertOk(await setAdmin(user, false, admin)).setUserAdmin.user.isAdmin, false);
  assert.deepEqual(await auditOf(user), before);
});

test('the last active admin cannot remove their own admin role, and viewerCan says so', async () => {
  const result = await setAdmin(admin, false, admin);
  assertErrorCode(result, 'BAD_USER_INPUT', /last active admin.*make another user admin first/);
  assert.equal(result.errors![0].extensions?.field, 'userId');
  const me = assertOk(await lumen.gql('{ viewer { isAdmin viewerCan { setAdmin setActive setCoinPool revokeSessions } } }', {}, admin));
  assert.deepEqual(me, {
    viewer: { isAdmin: true, viewerCan: { setAdmin: false, setActive: false, setCoinPool: true, revokeSessions: true } },
  });
});

test('with another active admin, an admin may step down; the one left is then the last', async () => {
  const second = await lumen.user({ admin: true });
  const stepped = assertOk(await setAdmin(second, false, second)).setUserAdmin.user;
  assert.equal(stepped.isAdmin, false);
  assertErrorCode(await setAdmin(admin, false, admin), 'BAD_USER_INPUT', /last active admin/);
});

test('a deactivated admin does not count: the only active admin stays the last', async () => {
  const inactive = await lumen.user({ admin: true });
  await setUserActive(admin.viewer, inactive.id, false);
  assertErrorCode(await setAdmin(admin, false, admin), 'BAD_USER_INPUT', /last active admin/);
  // Demoting the deactivated admin is fine: they were not keeping Lumen administered.
  assert.equal(assertOk(await setAdmin(inactive, false, admin)).setUserAdmin.user.isAdmin, false);
});

test('two admins demoting each other at once: exactly one succeeds and one active admin remains', async () => {
  const other = await lumen.user({ admin: true });
  const results = await Promise.all([setAdmin(other, false, admin), setAdmin(admin, false, other)]);
  assert.equal(results.filter((r) => !r.errors).length, 1, JSON.stringify(results));
  // The loser is refused as the last admin, or (already demoted when its call arrived) as no admin at all.
  const refusal = results.find((r) => r.errors)!.errors![0];
  assert.ok(['BAD_USER_INPUT', 'FORBIDDEN'].includes(refusal.extensions?.code ?? ''), JSON.stringify(refusal));
  assert.equal(await lumen.prisma.user.count({ where: { isAdmin: true, active: true } }), 1);
});

test('the last active admin cannot be deactivated, even by an admin whose own account was deactivated elsewhere meanwhile', async () => {
  const stale = await lumen.user({ admin: true });
  // Another instance (or the CLI) deactivated `stale` after their request was authorized.
  await lumen.prisma.user.update({ where: { id: stale.id }, data: { active: false } });
  await assert.rejects(setUserActive(stale.viewer, admin.id, false), /last active admin.*cannot be deactivated/);
  assert.equal((await lumen.prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).active, true);
});

test('an admin may deactivate another admin while one active admin remains; viewerCan.setActive follows', async () => {
  const other = await lumen.user({ admin: true });
  const can = assertOk(
    await lumen.gql('query($u: ID!) { node(id: $u) { ... on User { viewerCan { setActive setAdmin } } } }', { u: other.globalId }, admin),
  );
  assert.deepEqual(can, { node: { viewerCan: { setActive: true, setAdmin: true } } });
  assertOk(
    await lumen.gql(
      'mutation($u: ID!) { setUserActive(input: { userId: $u, active: false }) { user { active } } }',
      { u: other.globalId },
      admin,
    ),
  );
  assert.equal(await lumen.prisma.user.count({ where: { isAdmin: true, active: true } }), 1);
});

test('a manager sees what they may not do to others: nothing', async () => {
  const manager = await lumen.user();
  const other = await lumen.user();
  const can = assertOk(
    await lumen.gql(
      'query($u: ID!) { node(id: $u) { ... on User { viewerCan { setAdmin setActive setCoinPool revokeSessions } } } }',
      { u: other.globalId },
      manager,
    ),
  );
  assert.deepEqual(can, { node: { viewerCan: { setAdmin: false, setActive: false, setCoinPool: false, revokeSessions: false } } });
  assertErrorCode(await setAdmin(other, true, manager), 'FORBIDDEN');
});
