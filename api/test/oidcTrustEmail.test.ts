// A provider that sends no email_verified claim at all (as Microsoft Entra ID): only
// users already bound to their (issuer, sub) sign in, unless the operator vouches for
// the provider's emails with LUMEN_OIDC_TRUST_EMAIL=true.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createUser } from '../src/domain/users.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';
import { signIn, startProvider, type TestAccount, type TestProvider } from './support/oidcProvider.ts';

let provider: TestProvider;
let lumen: TestLumen | null = null;

const ACCOUNTS: Record<string, TestAccount> = {
  erin: { email: 'erin@uni.example', name: 'Erin Bound' },
  frank: { email: 'frank@uni.example', name: 'Frank Added' },
  gina: { email: 'gina@uni.example', name: 'Gina New' },
  // A provider that does say "not verified" is believed even with LUMEN_OIDC_TRUST_EMAIL.
  hal: { email: 'hal@uni.example', emailVerified: false, name: 'Hal Unverified' },
};

before(async () => {
  provider = await startProvider(ACCOUNTS, { entraLike: true });
});
after(async () => {
  await lumen?.close();
  await provider.close();
});
beforeEach(() => resetRateLimits());

async function start(env: Record<string, string> = {}) {
  await lumen?.close();
  lumen = await startLumen({
    LUMEN_OIDC_ISSUER: provider.issuer,
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'a-test-secret-of-some-length',
    ...env,
  });
  return lumen;
}

test('without LUMEN_OIDC_TRUST_EMAIL, only users already bound to their identity sign in', async () => {
  const app = await start();
  // Erin was bound earlier (say, while the operator trusted the provider's emails).
  const erin = await createUser(null, { email: 'erin@uni.example', name: 'Erin' });
  await app.prisma.user.update({ where: { id: erin.id }, data: { oidcIssuer: provider.issuer, oidcSubject: 'erin' } });
  await createUser(null, { email: 'frank@uni.example', name: 'Frank' });

  const bound = await signIn(app, provider.issuer, 'erin');
  assert.equal(bound.response.headers.get('location'), '/');
  const me = await app.gql(
    graphql(`
      query OidcTrustEmail_Viewer {
        viewer {
          email
        }
      }
    `),
    {},
    { cookie: `lumen_session=${bound.cookie}` },
  );
  assert.equal(me.data?.viewer.email, 'erin@uni.example');

  const before = await app.snapshot();
  for (const login of ['frank', 'gina']) {
    const { response, cookie } = await signIn(app, provider.issuer, login);
    assert.equal(response.headers.get('location'), '/signin?error=unverified', login);
    assert.equal(cookie, undefined, login);
  }
  assert.equal(await app.snapshot(), before);
});

test('with LUMEN_OIDC_TRUST_EMAIL=true, the provider’s emails bind and create users, unless it says they are unverified', async () => {
  const app = await start({ LUMEN_OIDC_TRUST_EMAIL: 'true' });
  const frank = await createUser(null, { email: 'frank@uni.example', name: 'Frank' });

  assert.ok((await signIn(app, provider.issuer, 'frank')).cookie);
  const bound = await app.prisma.user.findUniqueOrThrow({ where: { id: frank.id } });
  assert.deepEqual([bound.oidcIssuer, bound.oidcSubject], [provider.issuer, 'frank']);

  assert.ok((await signIn(app, provider.issuer, 'gina')).cookie);
  const gina = await app.prisma.user.findUniqueOrThrow({ where: { email: 'gina@uni.example' } });
  assert.deepEqual([gina.name, gina.oidcIssuer, gina.oidcSubject], ['Gina New', provider.issuer, 'gina']);

  const refused = await signIn(app, provider.issuer, 'hal');
  assert.equal(refused.response.headers.get('location'), '/signin?error=unverified');
  assert.equal(refused.cookie, undefined);
  assert.equal(await app.prisma.user.findUnique({ where: { email: 'hal@uni.example' } }), null);
});
