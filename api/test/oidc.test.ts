// OpenID Connect sign-in against a real provider (oidc-provider) on loopback:
// authorization code + PKCE, users created on first sign-in, admin group claim.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';
import { signIn as signInAt, startProvider, type TestProvider } from './support/oidcProvider.ts';

let lumen: TestLumen;
let provider: TestProvider;

const ACCOUNTS = {
  olivia: { email: 'Olivia@Uni.example', emailVerified: true, name: 'Olivia Okafor', groups: ['hpc-staff', 'lumen-admins'] },
  pat: { email: 'pat@uni.example', emailVerified: true, name: 'Pat Doe', groups: ['students'] },
};

before(async () => {
  provider = await startProvider(ACCOUNTS);
  lumen = await startLumen({
    LUMEN_OIDC_ISSUER: provider.issuer,
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'a-test-secret-of-some-length',
    LUMEN_OIDC_ADMIN_GROUP: 'lumen-admins',
  });
});
after(async () => {
  await lumen.close();
  await provider.close();
});
const signIn = (login: string) => signInAt(lumen, provider.issuer, login);

test('the first sign-in creates the user from the email and name claims; the admin group makes an admin', async () => {
  const { response, cookie } = await signIn('olivia');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/');
  assert.ok(cookie?.startsWith('ses_'));
  const me = assertOk(
    await lumen.gql(
      graphql(`
        query Oidc_Viewer {
          viewer {
            email
            name
            isAdmin
            sessions {
              current
            }
          }
        }
      `),
      {},
      { cookie: `lumen_session=${cookie}` },
    ),
  );
  assert.deepEqual(me.viewer, { email: 'olivia@uni.example', name: 'Olivia Okafor', isAdmin: true, sessions: [{ current: true }] });
  // Signing in again finds the same user.
  await signIn('olivia');
  assert.equal(await lumen.prisma.user.count({ where: { email: 'olivia@uni.example' } }), 1);
  assert.equal(await lumen.prisma.auditEntry.count({ where: { action: 'user.create', details: { path: ['via'], equals: 'oidc' } } }), 1);
});

test('without the admin group, a user is not an admin; losing the group takes admin away', async () => {
  const { cookie } = await signIn('pat');
  const me = assertOk(
    await lumen.gql(
      graphql(`
        query Oidc_IsAdmin {
          viewer {
            email
            isAdmin
          }
        }
      `),
      {},
      { cookie: `lumen_session=${cookie}` },
    ),
  );
  assert.deepEqual(me.viewer, { email: 'pat@uni.example', isAdmin: false });
  await lumen.prisma.user.update({ where: { email: 'pat@uni.example' }, data: { isAdmin: true } });
  await signIn('pat');
  assert.equal((await lumen.prisma.user.findUniqueOrThrow({ where: { email: 'pat@uni.example' } })).isAdmin, false);
});

test('a callback without the flow cookie, or with a forged state, signs nobody in', async () => {
  const noCookie = await lumen.fetch('/auth/oidc/callback?code=abc&state=xyz', { redirect: 'manual' });
  assert.equal(noCookie.status, 303);
  assert.match(noCookie.headers.get('location')!, /^\/signin\?error=/);
  assert.equal(
    noCookie.headers.getSetCookie().some((c) => c.startsWith('lumen_session=ses_')),
    false,
  );
  const start = await lumen.fetch('/auth/oidc/start', { redirect: 'manual' });
  const flow = start.headers.getSetCookie()[0].split(';')[0];
  const forged = await lumen.fetch('/auth/oidc/callback?code=abc&state=not-the-state', { redirect: 'manual', headers: { cookie: flow } });
  assert.match(forged.headers.get('location')!, /^\/signin\?error=/);
});

test('sessions are listed and can be revoked by their user', async () => {
  const first = (await signIn('olivia')).cookie!;
  const second = (await signIn('olivia')).cookie!;
  const list = assertOk(
    await lumen.gql(
      graphql(`
        query Oidc_Sessions {
          viewer {
            sessions {
              id
              current
            }
          }
        }
      `),
      {},
      { cookie: `lumen_session=${first}` },
    ),
  );
  const other = list.viewer.sessions.find((s) => !s.current);
  assert.ok(other, 'no other session');
  assert.ok(list.viewer.sessions.some((s) => s.current));
  assertOk(
    await lumen.gql(
      'mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }',
      { id: other.id },
      { cookie: `lumen_session=${first}` },
    ),
  );
  // Which one was revoked depends on order; the current one still works, and one of the two is gone.
  const stillFirst = await lumen.gql('{ viewer { email } }', {}, { cookie: `lumen_session=${first}` });
  assertOk(stillFirst);
  const remaining = await lumen.prisma.session.count({ where: { user: { email: 'olivia@uni.example' }, revokedAt: null } });
  const signedIn = assertOk(
    await lumen.gql(
      graphql(`
        query Oidc_SessionIds {
          viewer {
            sessions {
              id
            }
          }
        }
      `),
      {},
      { cookie: `lumen_session=${first}` },
    ),
  );
  assert.equal(signedIn.viewer.sessions.length, remaining);
  assert.ok(!signedIn.viewer.sessions.some((s) => s.id === other.id));
  void second;
  // Nobody else can revoke it.
  const stranger = await lumen.user();
  const mine = signedIn.viewer.sessions[0].id;
  assertErrorCode(
    await lumen.gql('mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }', { id: mine }, stranger),
    'BAD_USER_INPUT',
  );
});
