// With LUMEN_OIDC_ADMIN_GROUP set, the identity provider decides who is admin (each sign-in
// applies the group), so the admin API refuses to change it and names the group instead.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;

before(async () => {
  lumen = await startLumen({
    LUMEN_OIDC_ISSUER: 'https://idp.example.org',
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'a-test-secret-of-some-length',
    LUMEN_OIDC_ADMIN_GROUP: 'hpc-lumen-admins',
  });
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

test('setUserAdmin is BAD_USER_INPUT naming the group, either way, and changes nothing', async () => {
  const user = await lumen.user();
  for (const [target, isAdmin] of [
    [user, true],
    [admin, false],
  ] as const) {
    const before = await lumen.snapshot();
    const result = await lumen.gql(
      'mutation($u: ID!, $a: Boolean!) { setUserAdmin(input: { userId: $u, admin: $a }) { user { isAdmin } } }',
      { u: target.globalId, a: isAdmin },
      admin,
    );
    assertErrorCode(result, 'BAD_USER_INPUT', /identity provider.*"hpc-lumen-admins".*LUMEN_OIDC_ADMIN_GROUP/);
    assert.equal(await lumen.snapshot(), before);
  }
});

test('viewerCan.setAdmin is false for everyone, so the UI hides Make admin / Remove admin', async () => {
  const user = await lumen.user();
  const result = assertOk(
    await lumen.gql('query($u: ID!) { node(id: $u) { ... on User { viewerCan { setAdmin setActive } } } }', { u: user.globalId }, admin),
  );
  assert.deepEqual(result, { node: { viewerCan: { setAdmin: false, setActive: true } } });
});
