// Browser sign-in: a one-time link starts a session; sign-out ends it on the server.
import { consumeLoginLink, endSession } from '../domain/auth.ts';
import { clearedSessionCookie, readCookie, seeOther, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { handleOidcRoute } from './oidc.ts';

export async function handleAuthRoute(request: Request, url: URL): Promise<Response | null> {
  if (url.pathname.startsWith('/auth/oidc/')) return handleOidcRoute(request, url);
  if (url.pathname === '/auth/login' && request.method === 'GET') {
    const token = url.searchParams.get('token') ?? '';
    const result = await consumeLoginLink(token, request.headers.get('user-agent'));
    // The sign-in page explains each refusal (expired, invalid, inactive).
    if ('refused' in result) return seeOther(`/signin?error=${result.refused}`);
    return seeOther('/', [sessionCookie(result.sessionToken, result.expiresAt)]);
  }
  if (url.pathname === '/auth/logout' && request.method === 'POST') {
    const token = readCookie(request, SESSION_COOKIE);
    if (token) await endSession(token);
    return new Response(null, { status: 204, headers: { 'set-cookie': clearedSessionCookie() } });
  }
  return null;
}
