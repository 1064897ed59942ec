// Who an OpenID Connect sign-in is: the provider's (issuer, sub), never an email
// alone. The email is trusted only when the ID token says email_verified: true, and
// only to bind an account on a first sign-in; an account bound to one identity is
// never handed to another. Against a real provider (oidc-provider) on loopback.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createUser } from '../src/domain/users.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';
import { signIn as signInAt, startProvider, type TestAccount, type TestProvider } from './support/oidcProvider.ts';

let lumen: TestLumen;
let provider: TestProvider;

const ACCOUNTS: Record<string, TestAccount> = {
  ada: { email: 'ada@uni.example', emailVerified: true, name: 'Ada Lovelace' },
  bea: { email: 'bea@uni.example', emailVerified: true, name: 'Bea Bound' },
  // Another account at the same provider that claims Bea's address.
  'bea-impostor': { email: 'Bea@Uni.example', emailVerified: true, name: 'Not Bea' },
  cleo: { email: 'cleo@uni.example', emailVerified: true, name: 'Cleo Elsewhere' },
  una: { email: 'una@uni.example', emailVerified: false, name: 'Una Verified-False' },
  nell: { email: 'nell@uni.example', name: 'Nell No-Claim' },
  // userinfo says verified, the ID token does not.
  uli: { email: 'uli@uni.example', emailVerified: false, userInfoEmailVerified: true },
  ulla: { email: 'ulla@uni.example', userInfoEmailVerified: true },
  cam: { email: 'cam@uni.example', emailVerified: true, name: 'Cam Changes' },
};

before(async () => {
  provider = await startProvider(ACCOUNTS);
  lumen = await startLumen({
    LUMEN_OIDC_ISSUER: provider.issuer,
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'a-test-secret-of-some-length',
  });
});
after(async () => {
  await lumen.close();
  await provider.close();
});
// Each sign-in counts two attempts against the per-address limit, and these tests are one address.
beforeEach(() => resetRateLimits());

const signIn = (login: string) => signInAt(lumen, provider.issuer, login);
const userByEmail = (email: string) => lumen.prisma.user.findUnique({ where: { email } });

test('a user an admin added is bound to the identity that first signs in with their verified email', async () => {
  const added = await createUser(null, { email: 'ada@uni.example', name: 'Ada' });
  const { response, cookie } = await signIn('ada');
  assert.equal(response.headers.get('location'), '/');
  assert.ok(cookie);
  const bound = await lumen.prisma.user.findUniqueOrThrow({ where: { id: added.id } });
  assert.deepEqual([bound.oidcIssuer, bound.oidcSubject], [provider.issuer, 'ada']);
  const audit = await lumen.prisma.auditEntry.findMany({ where: { action: 'user.bindOidc', targetId: added.id } });
  assert.equal(audit.length, 1);
  // Later sign-ins find the same user through the binding.
  assert.ok((await signIn('ada')).cookie);
  assert.equal(await lumen.prisma.user.count({ where: { email: 'ada@uni.example' } }), 1);
});

test('another account at the provider with the same verified email is refused, never merged', async () => {
  assert.ok((await signIn('bea')).cookie);
  const before = await lumen.snapshot();
  const sessionsBefore = await lumen.prisma.session.count();
  const { response, cookie } = await signIn('bea-impostor');
  assert.equal(response.headers.get('location'), '/signin?error=taken');
  assert.equal(cookie, undefined);
  assert.equal(await lumen.snapshot(), before);
  assert.equal(await lumen.prisma.session.count(), sessionsBefore);
});

test('a user bound to another issuer is not taken over by this one', async () => {
  const cleo = await createUser(null, { email: 'cleo@uni.example', name: 'Cleo' });
  await lumen.prisma.user.update({ where: { id: cleo.id }, data: { oidcIssuer: 'https://old-idp.example', oidcSubject: 'cleo-there' } });
  const before = await lumen.snapshot();
  const { response, cookie } = await signIn('cleo');
  assert.equal(response.headers.get('location'), '/signin?error=taken');
  assert.equal(cookie, undefined);
  assert.equal(await lumen.snapshot(), before);
});

test('an email the ID token does not mark verified (false, or no claim) signs nobody in', async () => {
  // Nell's account exists (an admin added it): an unverified address must not open it.
  await createUser(null, { email: 'nell@uni.example', name: 'Nell' });
  const before = await lumen.snapshot();
  for (const login of ['nell', 'una']) {
    const { response, cookie } = await signIn(login);
    assert.equal(response.headers.get('location'), '/signin?error=unverified', login);
    assert.equal(cookie, undefined, login);
  }
  assert.equal(await lumen.snapshot(), before);
  assert.equal(await userByEmail('una@uni.example'), null);
});

test('userinfo cannot verify an email the ID token does not', async () => {
  const before = await lumen.snapshot();
  for (const login of ['uli', 'ulla']) {
    const { response, cookie } = await signIn(login);
    assert.equal(response.headers.get('location'), '/signin?error=unverified', login);
    assert.equal(cookie, undefined, login);
  }
  assert.equal(await lumen.snapshot(), before);
});

test('the same identity with a changed email is the same user; the email follows only when verified and free', async () => {
  assert.ok((await signIn('cam')).cookie);
  const cam = await lumen.prisma.user.findUniqueOrThrow({ where: { email: 'cam@uni.example' } });
  const emailOf = async () => (await lumen.prisma.user.findUniqueOrThrow({ where: { id: cam.id } })).email;

  ACCOUNTS.cam = { ...ACCOUNTS.cam, email: 'Cameron@Uni.example' };
  assert.ok((await signIn('cam')).cookie);
  assert.equal(await emailOf(), 'cameron@uni.example');
  assert.equal(await lumen.prisma.auditEntry.count({ where: { action: 'user.changeEmail', targetId: cam.id } }), 1);

  // Another user has the new address: still Cam's account, under the old address.
  await createUser(null, { email: 'someone.else@uni.example', name: 'Someone Else' });
  ACCOUNTS.cam = { ...ACCOUNTS.cam, email: 'someone.else@uni.example' };
  assert.ok((await signIn('cam')).cookie);
  assert.equal(await emailOf(), 'cameron@uni.example');

  // An unverified new address is not taken either, but the bound identity still signs in.
  ACCOUNTS.cam = { ...ACCOUNTS.cam, email: 'cam.new@uni.example', emailVerified: false };
  const { cookie } = await signIn('cam');
  assert.ok(cookie);
  const me = await lumen.gql(
    graphql(`
      query OidcIdentity_Viewer {
        viewer {
          id
          email
        }
      }
    `),
    {},
    { cookie: `lumen_session=${cookie}` },
  );
  assert.equal(me.data?.viewer.email, 'cameron@uni.example');
  assert.equal(await lumen.prisma.user.count({ where: { email: { startsWith: 'cam' } } }), 1);
});

test('LUMEN_OIDC_TRUST_EMAIL is true or false; anything else stops the start, naming it', () => {
  const env = {
    NODE_ENV: 'test',
    LUMEN_OIDC_ISSUER: 'https://idp.example',
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'secret',
  };
  assert.equal(loadConfig(env).oidc?.trustEmail, false);
  assert.equal(loadConfig({ ...env, LUMEN_OIDC_TRUST_EMAIL: 'false' }).oidc?.trustEmail, false);
  assert.equal(loadConfig({ ...env, LUMEN_OIDC_TRUST_EMAIL: 'true' }).oidc?.trustEmail, true);
  for (const value of ['yes', '1', 'TRUE ', 'on']) {
    assert.throws(
      () => loadConfig({ ...env, LUMEN_OIDC_TRUST_EMAIL: value }),
      (error: Error) => error instanceof ConfigError && /LUMEN_OIDC_TRUST_EMAIL/.test(error.message),
      value,
    );
  }
});
