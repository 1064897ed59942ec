// Finds the viewer of an admin-API request: a bearer token (lat_...) or the
// session cookie. A model key (sk_...) is refused outright rather than ignored,
// so that a script sending the wrong kind of key learns why.
import { authenticateAccessToken, authenticateSession, type AccessTokenCheck } from '../domain/auth.ts';
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

/** The admin-API token of a Bearer header, if the request carries one (to mark "this token" in a list). */
export function accessTokenOf(request: Request): string | null {
  return /^Bearer\s+(lat_\S+)$/i.exec(request.headers.get('authorization')?.trim() ?? '')?.[1] ?? null;
}

const NEW_TOKEN = 'create a new one on the Profile page or with `lumen token create`';

function refusalMessage(check: Exclude<AccessTokenCheck, { viewer: Viewer }>): string {
  switch (check.refused) {
    case 'revoked':
      return `This admin-API token was revoked on ${check.at.toISOString()}; ${NEW_TOKEN}`;
    case 'expired':
      return `This admin-API token expired on ${check.at.toISOString()}; ${NEW_TOKEN}`;
    case 'inactive':
      return 'This admin-API token belongs to a deactivated user; an admin can reactivate the account';
    default:
      return `The admin-API token is unknown or mistyped: check that you copied all of it, or ${NEW_TOKEN}`;
  }
}

export async function viewerOf(request: Request): Promise<Viewer | null> {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new CredentialsError('The Authorization header must be "Bearer lat_..."');
    const token = match[1];
    if (token.startsWith('sk_')) {
      throw new CredentialsError(
        'This is a model API key (sk_...), which works only with /v1. The admin API takes an admin-API token (lat_...).',
      );
    }
    const check = await authenticateAccessToken(token);
    if ('refused' in check) throw new CredentialsError(refusalMessage(check));
    return check.viewer;
  }
  const session = readCookie(request, SESSION_COOKIE);
  if (!session) return null;
  if (!request.headers.has(CSRF_HEADER)) {
    throw new CsrfError(
      `Requests signed in with the session cookie must send the header "${CSRF_HEADER}: 1" (protection against cross-site requests)`,
    );
  }
  return authenticateSession(session);
}
