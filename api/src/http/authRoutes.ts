// Browser sign-in: a one-time link starts a session; sign-out ends it on the server.
import { config } from '../config.ts';
import { consumeLoginLink, endSession } from '../domain/auth.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { handleOidcRoute } from './oidc.ts';

const secureCookies = () => config().env !== 'development';

export async function handleAuthRoute(request: Request, url: URL): Promise<Response | null> {
  if (url.pathname.startsWith('/auth/oidc/')) return handleOidcRoute(request, url);
  if (url.pathname === '/auth/login' && request.method === 'GET') {
    const token = url.searchParams.get('token') ?? '';
    const result = await consumeLoginLink(token, request.headers.get('user-agent'));
    // The sign-in page explains each refusal (expired, invalid, inactive).
    if ('refused' in result)
      return new Response(null, { status: 303, headers: { location: `/signin?error=${result.refused}`, 'cache-control': 'no-store' } });
    return new Response(null, {
      status: 303,
      headers: {
        location: '/',
        'set-cookie': sessionCookie(result.sessionToken, result.expiresAt, secureCookies()),
        'cache-control': 'no-store',
      },
    });
  }
  if (url.pathname === '/auth/logout' && request.method === 'POST') {
    const token = readCookie(request, SESSION_COOKIE);
    if (token) await endSession(token);
    return new Response(null, { status: 204, headers: { 'set-cookie': clearedSessionCookie(secureCookies()) } });
  }
  return null;
}
