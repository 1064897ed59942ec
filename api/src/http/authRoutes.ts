// Browser sign-in: a one-time link starts a session; sign-out ends it on the server.
import { config } from '../config.ts';
import { consumeLoginLink, endSession } from '../domain/auth.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { handleOidcRoute } from './oidc.ts';

const secureCookies = () => config().env !== 'development';

function page(status: number, title: string, text: string): Response {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return new Response(
    `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><body style="font-family:system-ui;max-width:36rem;margin:4rem auto"><h1>${escape(title)}</h1><p>${escape(text)}</p><p><a href="/">Back to Lumen</a></p>`,
    { status, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
}

export async function handleAuthRoute(request: Request, url: URL): Promise<Response | null> {
  if (url.pathname.startsWith('/auth/oidc/')) return handleOidcRoute(request, url);
  if (url.pathname === '/auth/login' && request.method === 'GET') {
    const token = url.searchParams.get('token') ?? '';
    const session = await consumeLoginLink(token, request.headers.get('user-agent'));
    if (!session) {
      return page(400, 'This sign-in link does not work', 'It was already used, has expired (links last 15 minutes), or was copied incompletely. Ask for a new one.');
    }
    return new Response(null, {
      status: 303,
      headers: { location: '/', 'set-cookie': sessionCookie(session.sessionToken, session.expiresAt, secureCookies()), 'cache-control': 'no-store' },
    });
  }
  if (url.pathname === '/auth/logout' && request.method === 'POST') {
    const token = readCookie(request, SESSION_COOKIE);
    if (token) await endSession(token);
    return new Response(null, { status: 204, headers: { 'set-cookie': clearedSessionCookie(secureCookies()) } });
  }
  return null;
}
