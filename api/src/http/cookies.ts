// The session cookie: HttpOnly (scripts cannot read it), SameSite=Lax (not sent on
// cross-site POSTs), Secure everywhere but local development.
import { BadRequestError } from './badRequest.ts';

export const SESSION_COOKIE = 'lumen_session';

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      throw new BadRequestError(`The ${name} cookie is malformed; delete this site's cookies in your browser and sign in again.`);
    }
  }
  return null;
}

export function sessionCookie(value: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', new Date(0), secure);
}
