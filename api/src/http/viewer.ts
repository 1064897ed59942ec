// Finds the viewer of an admin-API request: a bearer token (lat_...) or the
// session cookie. A model key (sk_...) is refused outright rather than ignored,
// so that a script sending the wrong kind of key learns why.
import { authenticateAccessToken, authenticateSession } from '../domain/auth.ts';
import type { Viewer } from '../domain/viewer.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';

export class CredentialsError extends Error {}

/** A cookie-authenticated request without the anti-CSRF header: a page on another site may have sent it. */
export class CsrfError extends Error {}

/** The header the admin UI sends; a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'x-lumen-csrf';

/** The session cookie's token, if the request carries one. */
export function sessionTokenOf(request: Request): string | null {
  return request.headers.get('authorization') ? null : readCookie(request, SESSION_COOKIE);
}

export async function viewerOf(request: Request): Promise<Viewer | null> {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new CredentialsError('The Authorization header must be "Bearer lat_..."');
    const token = match[1];
    if (token.startsWith('sk_')) {
      throw new CredentialsError('This is a model API key (sk_...), which works only with /v1. The admin API takes an admin-API token (lat_...).');
    }
    const viewer = await authenticateAccessToken(token);
    if (!viewer) throw new CredentialsError('The admin-API token is unknown, revoked, malformed, or belongs to a deactivated user');
    return viewer;
  }
  const session = readCookie(request, SESSION_COOKIE);
  if (!session) return null;
  if (!request.headers.has(CSRF_HEADER)) {
    throw new CsrfError(`Requests signed in with the session cookie must send the header "${CSRF_HEADER}: 1" (protection against cross-site requests)`);
  }
  return authenticateSession(session);
}
