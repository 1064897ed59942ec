// Browser sign-in with one-time links and session cookies; admin-API tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLoginLink, LOGIN_LINK_TTL_MS } from '../src/domain/auth.ts';
import { setUserActive } from '../src/domain/users.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

async function signIn(link: string) {
  const url = new URL(link);
  const response = await lumen.fetch(`${url.pathname}${url.search}`, { redirect: 'manual' });
  return { response, cookie: response.headers.get('set-cookie') };
}

test('a sign-in link works once and starts an HttpOnly, SameSite=Lax, Secure session', async () => {
  const user = await lumen.user();
  const { url } = await createLoginLink(user.email, 'http://lumen.test');
  assert.match(url, /^http:\/\/lumen\.test\/auth\/login\?token=lnk_/);
  const first = await signIn(url);
  assert.equal(first.response.status, 303);
  assert.equal(first.response.headers.get('location'), '/');
  assert.match(first.cookie!, /^lumen_session=ses_[^;]+; Path=\/; HttpOnly; SameSite=Lax; Expires=[^;]+; Secure$/);
  const cookie = first.cookie!.split(';')[0];
  const me = assertOk(
    await lumen.gql(
      graphql(`
        query Auth_Viewer {
          viewer {
            email
          }
        }
      `),
      {},
      { cookie },
    ),
  );
  assert.equal(me.viewer.email, user.email);
  const second = await signIn(url);
  assert.equal(second.response.status, 303);
  assert.equal(second.response.headers.get('location'), '/signin?error=expired');
  assert.equal(second.cookie, null);
});

test('an expired or tampered link does nothing', async () => {
  const user = await lumen.user();
  const { url } = await createLoginLink(user.email, 'http://lumen.test');
  await lumen.prisma.loginLink.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  assert.equal((await signIn(url)).response.headers.get('location'), '/signin?error=expired');
  const fresh = (await createLoginLink(user.email, 'http://lumen.test')).url;
  assert.equal((await signIn(fresh.slice(0, -2) + 'zz')).response.headers.get('location'), '/signin?error=invalid');
  assert.equal(await lumen.prisma.session.count({ where: { userId: user.id } }), 0);
  // Links last fifteen minutes.
  const link = await lumen.prisma.loginLink.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: 'desc' } });
  assert.equal(link.expiresAt.getTime() - link.createdAt.getTime() <= LOGIN_LINK_TTL_MS + 1000, true);
  assert.equal(LOGIN_LINK_TTL_MS, 15 * 60 * 1000);
});

test('sign-out ends the session on the server', async () => {
  const user = await lumen.user();
  const { cookie } = await signIn((await createLoginLink(user.email, 'http://lumen.test')).url);
  const session = cookie!.split(';')[0];
  const out = await lumen.fetch('/auth/logout', { method: 'POST', headers: { cookie: session } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie')!, /lumen_session=;.*Expires=Thu, 01 Jan 1970/);
  // The old cookie, replayed, no longer works.
  assertErrorCode(await lumen.gql('{ viewer { email } }', {}, { cookie: session }), 'UNAUTHENTICATED');
});

test('a deactivated user is anonymous: sessions end and tokens stop working', async () => {
  const user = await lumen.user();
  const { cookie } = await signIn((await createLoginLink(user.email, 'http://lumen.test')).url);
  const session = cookie!.split(';')[0];
  assertOk(await lumen.gql('{ viewer { email } }', {}, { cookie: session }));
  await setUserActive(admin.viewer, user.id, false);
  assertErrorCode(await lumen.gql('{ viewer { email } }', {}, { cookie: session }), 'UNAUTHENTICATED');
  assertErrorCode(await lumen.gql('{ viewer { email } }', {}, user), 'UNAUTHENTICATED');
  await assert.rejects(createLoginLink(user.email, 'http://lumen.test'), /deactivated/);
});

test('tokens and secrets are stored only as hashes', async () => {
  const user = await lumen.user();
  const { url } = await createLoginLink(user.email, 'http://lumen.test');
  const linkToken = new URL(url).searchParams.get('token')!;
  const { cookie } = await signIn(url);
  const sessionToken = cookie!.split(';')[0].split('=')[1];
  const everything = await lumen.snapshot();
  const more = JSON.stringify([
    await lumen.prisma.session.findMany(),
    await lumen.prisma.loginLink.findMany(),
    await lumen.prisma.accessToken.findMany(),
  ]);
  for (const secret of [linkToken, sessionToken, user.token]) {
    assert.ok(!everything.includes(secret) && !more.includes(secret), 'a secret is stored in clear');
  }
});
