// Sign-in through the institution's identity provider: OpenID Connect with the
// authorization code flow and PKCE (openid-client). The state, nonce and PKCE
// verifier travel in a short-lived HttpOnly cookie, sealed with an HMAC.
import { timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import { config } from '../config.ts';
import { signInWithOidc, type OidcRefusal } from '../domain/oidcSignIn.ts';
import { hashSecret } from '../domain/secrets.ts';
import { log } from '../log.ts';
import { cookie, readCookie, seeOther, sessionCookie } from './cookies.ts';

const FLOW_COOKIE = 'lumen_oidc';
const FLOW_TTL_MS = 10 * 60 * 1000;

let discovered: { issuer: string; configuration: Promise<oidc.Configuration> } | null = null;

function configuration(): Promise<oidc.Configuration> {
  const settings = config().oidc!;
  if (discovered?.issuer !== settings.issuer) {
    const issuer = new URL(settings.issuer);
    // Plain http is accepted only for a provider on this machine (development and tests).
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    const configuration = oidc
      .discovery(
        issuer,
        settings.clientId,
        settings.clientSecret,
        undefined,
        loopback ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error) => {
        discovered = null; // try again on the next sign-in
        throw error;
      });
    discovered = { issuer: settings.issuer, configuration };
  }
  return discovered.configuration;
}

const redirectUri = () => `${config().publicUrl}/auth/oidc/callback`;

/**
 * Asks for email and email_verified in the ID token itself, which is what Lumen reads
 * them from: in the code flow a provider may otherwise put them only in userinfo
 * (OpenID Connect Core 5.4). Sent only to providers that support the claims parameter.
 */
function idTokenClaimsRequest(cfg: oidc.Configuration): Record<string, string> {
  if (!cfg.serverMetadata().claims_parameter_supported) return {};
  return { claims: JSON.stringify({ id_token: { email: { essential: true }, email_verified: { essential: true } } }) };
}

function seal(value: object): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${hashSecret(`oidc-flow:${body}`)}`;
}

function unseal(sealed: string | null): { verifier: string; state: string; nonce: string; expires: number } | null {
  if (!sealed) return null;
  const [body, mac] = sealed.split('.');
  if (!body || !mac) return null;
  const expected = Buffer.from(hashSecret(`oidc-flow:${body}`));
  if (expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) return null;
  const value = JSON.parse(Buffer.from(body, 'base64url').toString());
  return value.expires > Date.now() ? value : null;
}

/** For the log: what an operator needs to know about a refusal. */
const REFUSALS: Record<OidcRefusal, string> = {
  unverified: 'the ID token has no email with email_verified true, and no user is bound to this identity yet (see LUMEN_OIDC_TRUST_EMAIL)',
  taken: 'the email belongs to a user bound to a different identity; nothing was merged',
  inactive: 'the user is deactivated',
};

/** Back to the sign-in page, which explains the code; details go to the log, not into a URL. */
function failure(code: 'oidc' | 'expired' | OidcRefusal, detail?: unknown): Response {
  if (detail) log.warn({ code, detail: detail instanceof Error ? detail.message : String(detail) }, 'OIDC sign-in failed');
  return seeOther(`/signin?error=${code}`);
}

export async function handleOidcRoute(request: Request, url: URL): Promise<Response | null> {
  if (!url.pathname.startsWith('/auth/oidc/') || request.method !== 'GET') return null;
  if (!config().oidc) return new Response('OpenID Connect sign-in is not configured (LUMEN_OIDC_ISSUER).', { status: 404 });
  if (url.pathname === '/auth/oidc/start') {
    const cfg = await configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const flow = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), expires: Date.now() + FLOW_TTL_MS };
    const target = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: redirectUri(),
      scope: config().oidc!.adminGroup ? 'openid email profile groups' : 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
      ...idTokenClaimsRequest(cfg),
    });
    return seeOther(target.href, [cookie(FLOW_COOKIE, seal(flow), '/auth/oidc', FLOW_TTL_MS / 1000)]);
  }
  if (url.pathname === '/auth/oidc/callback') {
    const flow = unseal(readCookie(request, FLOW_COOKIE));
    if (!flow) return failure('expired');
    const cfg = await configuration();
    // The provider redirected here, so the URL it called is our public one.
    const current = new URL(`${redirectUri()}${url.search}`);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(cfg, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      return failure('oidc', error);
    }
    const idToken = tokens.claims()!;
    let userInfo: oidc.UserInfoResponse;
    try {
      // Checked to be about the ID token's sub. It fills in name and groups only: the
      // ID token alone says who this is and whether the email is verified.
      userInfo = await oidc.fetchUserInfo(cfg, tokens.access_token, idToken.sub);
    } catch (error) {
      return failure('oidc', error);
    }
    const { adminGroup, trustEmail } = config().oidc!;
    const session = await signInWithOidc({ idToken, userInfo }, { adminGroup, trustEmail, userAgent: request.headers.get('user-agent') });
    if ('refused' in session) return failure(session.refused, REFUSALS[session.refused]);
    return seeOther('/', [sessionCookie(session.sessionToken, session.expiresAt), `${FLOW_COOKIE}=; Path=/auth/oidc; Max-Age=0`]);
  }
  return null;
}
