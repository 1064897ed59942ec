// OpenID Connect sign-in against a real provider (oidc-provider) on loopback:
// authorization code + PKCE, users created on first sign-in, admin group claim.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
let issuerServer: http.Server;
let issuer: string;

const ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  olivia: { email: 'Olivia@Uni.example', name: 'Olivia Okafor', groups: ['hpc-staff', 'lumen-admins'] },
  pat: { email: 'pat@uni.example', name: 'Pat Doe', groups: ['students'] },
};

before(async () => {
  issuerServer = http.createServer();
  await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'lumen', client_secret: 'a-test-secret-of-some-length', redirect_uris: ['http://lumen.test/auth/oidc/callback'] }],
    claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'], openid: ['sub'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    pkce: { required: () => true },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: ACCOUNTS[id]?.email, email_verified: true, name: ACCOUNTS[id]?.name, groups: ACCOUNTS[id]?.groups }),
    }),
  });
  issuerServer.on('request', provider.callback());
  lumen = await startLumen({
    LUMEN_OIDC_ISSUER: issuer,
    LUMEN_OIDC_CLIENT_ID: 'lumen',
    LUMEN_OIDC_CLIENT_SECRET: 'a-test-secret-of-some-length',
    LUMEN_OIDC_ADMIN_GROUP: 'lumen-admins',
  });
});
after(async () => {
  await lumen.close();
  issuerServer.closeAllConnections();
  await new Promise((resolve) => issuerServer.close(resolve));
});

/** A browser's worth of cookies for the provider, and one for Lumen. */
class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair.split('=');
      this.cookies.set(name.trim(), value.join('='));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Walks the sign-in as a browser would: Lumen → provider's login and consent forms → back to Lumen. */
async function signIn(login: string) {
  const lumenJar = new Jar();
  const providerJar = new Jar();
  const start = await lumen.fetch('/auth/oidc/start', { redirect: 'manual' });
  assert.equal(start.status, 303);
  lumenJar.take(start);
  let location = new URL(start.headers.get('location')!);
  assert.equal(location.origin, issuer);
  assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
  for (let hop = 0; hop < 12; hop++) {
    if (location.origin === 'http://lumen.test') {
      const done = await lumen.fetch(`${location.pathname}${location.search}`, { redirect: 'manual', headers: { cookie: lumenJar.header() } });
      lumenJar.take(done);
      return { response: done, cookie: lumenJar.cookies.get('lumen_session') };
    }
    let response = await fetch(location, { redirect: 'manual', headers: { cookie: providerJar.header() } });
    providerJar.take(response);
    if (response.status === 200) {
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)![1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)![1];
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt });
      response = await fetch(new URL(action, issuer), { method: 'POST', redirect: 'manual', body, headers: { cookie: providerJar.header() } });
      providerJar.take(response);
    }
    location = new URL(response.headers.get('location')!, issuer);
  }
  throw new Error('too many redirects');
}

test('the first sign-in creates the user from the email and name claims; the admin group makes an admin', async () => {
  const { response, cookie } = await signIn('olivia');
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/');
  assert.ok(cookie?.startsWith('ses_'));
  const me = assertOk(await lumen.gql('{ viewer { email name isAdmin sessions { current } } }', {}, { cookie: `lumen_session=${cookie}` })) as any;
  assert.deepEqual(me.viewer, { email: 'olivia@uni.example', name: 'Olivia Okafor', isAdmin: true, sessions: [{ current: true }] });
  // Signing in again finds the same user.
  await signIn('olivia');
  assert.equal(await lumen.prisma.user.count({ where: { email: 'olivia@uni.example' } }), 1);
  assert.equal(await lumen.prisma.auditEntry.count({ where: { action: 'user.create', details: { path: ['via'], equals: 'oidc' } } }), 1);
});

test('without the admin group, a user is not an admin; losing the group takes admin away', async () => {
  const { cookie } = await signIn('pat');
  const me = assertOk(await lumen.gql('{ viewer { email isAdmin } }', {}, { cookie: `lumen_session=${cookie}` })) as any;
  assert.deepEqual(me.viewer, { email: 'pat@uni.example', isAdmin: false });
  await lumen.prisma.user.update({ where: { email: 'pat@uni.example' }, data: { isAdmin: true } });
  await signIn('pat');
  assert.equal((await lumen.prisma.user.findUniqueOrThrow({ where: { email: 'pat@uni.example' } })).isAdmin, false);
});

test('a callback without the flow cookie, or with a forged state, signs nobody in', async () => {
  const noCookie = await lumen.fetch('/auth/oidc/callback?code=abc&state=xyz', { redirect: 'manual' });
  assert.equal(noCookie.status, 303);
  assert.match(noCookie.headers.get('location')!, /^\/signin\?error=/);
  assert.equal(noCookie.headers.getSetCookie().some((c) => c.startsWith('lumen_session=ses_')), false);
  const start = await lumen.fetch('/auth/oidc/start', { redirect: 'manual' });
  const flow = start.headers.getSetCookie()[0].split(';')[0];
  const forged = await lumen.fetch('/auth/oidc/callback?code=abc&state=not-the-state', { redirect: 'manual', headers: { cookie: flow } });
  assert.match(forged.headers.get('location')!, /^\/signin\?error=/);
});

test('sessions are listed and can be revoked by their user', async () => {
  const first = (await signIn('olivia')).cookie!;
  const second = (await signIn('olivia')).cookie!;
  const list = assertOk(await lumen.gql('{ viewer { sessions { id current } } }', {}, { cookie: `lumen_session=${first}` })) as any;
  const other = list.viewer.sessions.find((s: any) => !s.current);
  assert.ok(list.viewer.sessions.some((s: any) => s.current));
  assertOk(await lumen.gql('mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }', { id: other.id }, { cookie: `lumen_session=${first}` }));
  // Which one was revoked depends on order; the current one still works, and one of the two is gone.
  const stillFirst = await lumen.gql('{ viewer { email } }', {}, { cookie: `lumen_session=${first}` });
  assertOk(stillFirst);
  const remaining = await lumen.prisma.session.count({ where: { user: { email: 'olivia@uni.example' }, revokedAt: null } });
  const signedIn = assertOk(await lumen.gql('{ viewer { sessions { id } } }', {}, { cookie: `lumen_session=${first}` })) as any;
  assert.equal(signedIn.viewer.sessions.length, remaining);
  assert.ok(!signedIn.viewer.sessions.some((s: any) => s.id === other.id));
  void second;
  // Nobody else can revoke it.
  const stranger = await lumen.user();
  const mine = signedIn.viewer.sessions[0].id;
  assertErrorCode(await lumen.gql('mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }', { id: mine }, stranger), 'BAD_USER_INPUT');
});
