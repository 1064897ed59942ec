// A real OpenID Connect provider (oidc-provider) on loopback, and a browser's walk
// through a sign-in with it, for the OIDC tests. The account name typed at its login
// form is the account's `sub`.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import Provider from 'oidc-provider';
import type { TestLumen } from './lumen.ts';

export interface TestAccount {
  email?: string;
  name?: string;
  groups?: string[];
  /** email_verified in the ID token (and in userinfo, unless userInfoEmailVerified says otherwise); left out when undefined. */
  emailVerified?: boolean;
  /** email_verified in userinfo only, to make it disagree with the ID token. */
  userInfoEmailVerified?: boolean;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/**
 * Starts a provider whose accounts are read at every sign-in (a test may change them).
 * By default it supports the claims parameter, so it puts email and email_verified in
 * the ID token only when asked to, as OpenID Connect Core 5.4 allows. `entraLike`
 * instead puts every claim of the granted scopes in the ID token and does not support
 * the claims parameter, as Microsoft Entra ID does.
 */
export async function startProvider(accounts: Record<string, TestAccount>, options: { entraLike?: boolean } = {}): Promise<TestProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: 'lumen', client_secret: 'a-test-secret-of-some-length', redirect_uris: ['http://lumen.test/auth/oidc/callback'] },
    ],
    claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'], openid: ['sub'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    pkce: { required: () => true },
    conformIdTokenClaims: !options.entraLike,
    features: { claimsParameter: { enabled: !options.entraLike } },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async (use: string) => {
        const account = accounts[id] ?? {};
        const verified =
          use === 'userinfo' && account.userInfoEmailVerified !== undefined ? account.userInfoEmailVerified : account.emailVerified;
        return { sub: id, email: account.email, email_verified: verified, name: account.name, groups: account.groups };
      },
    }),
  });
  server.on('request', provider.callback());
  return {
    issuer,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

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

/**
 * Walks the sign-in as a browser would: Lumen → provider's login and consent forms →
 * back to Lumen. Returns Lumen's last answer and the session cookie, if it set one.
 */
export async function signIn(lumen: TestLumen, issuer: string, login: string) {
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
      const done = await lumen.fetch(`${location.pathname}${location.search}`, {
        redirect: 'manual',
        headers: { cookie: lumenJar.header() },
      });
      lumenJar.take(done);
      const cookie = lumenJar.cookies.get('lumen_session');
      return { response: done, cookie: cookie?.startsWith('ses_') ? cookie : undefined };
    }
    let response = await fetch(location, { redirect: 'manual', headers: { cookie: providerJar.header() } });
    providerJar.take(response);
    if (response.status === 200) {
      const html = await response.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)![1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)![1];
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt });
      response = await fetch(new URL(action, issuer), {
        method: 'POST',
        redirect: 'manual',
        body,
        headers: { cookie: providerJar.header() },
      });
      providerJar.take(response);
    }
    location = new URL(response.headers.get('location')!, issuer);
  }
  throw new Error('too many redirects');
}
