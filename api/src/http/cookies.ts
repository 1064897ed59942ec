// Lumen's cookies: HttpOnly (scripts cannot read them), SameSite=Lax (not sent on
// cross-site POSTs), Secure everywhere but local development; and the 303 answers
// that set them at each step of a browser sign-in.
import { config } from '../config.ts';
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

/** Development runs on plain http://localhost, where a browser would drop a Secure cookie. */
const secureCookies = () => config().env !== 'development';

/** A Set-Cookie value with Lumen's attributes, until `until` (a date, or a number of seconds from now). */
export function cookie(name: string, value: string, path: string, until: Date | number): string {
  return [
    `${name}=${value}`,
    `Path=${path}`,
    'HttpOnly',
    'SameSite=Lax',
    typeof until === 'number' ? `Max-Age=${until}` : `Expires=${until.toUTCString()}`,
    ...(secureCookies() ? ['Secure'] : []),
  ].join('; ');
}

export function sessionCookie(value: string, expiresAt: Date): string {
  return cookie(SESSION_COOKIE, value, '/', expiresAt);
}

export function clearedSessionCookie(): string {
  return sessionCookie('', new Date(0));
}

/** A 303 to `location` that no cache keeps (sign-in answers carry one-time state), setting `cookies`. */
export function seeOther(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  for (const value of cookies) headers.append('set-cookie', value);
  return new Response(null, { status: 303, headers });
}
