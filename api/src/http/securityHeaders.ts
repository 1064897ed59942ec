// Browser protections on every response: a Content-Security-Policy that lets a page
// run only Lumen's own script files (no inline script, nothing from elsewhere), no
// framing by any site, no Referer sent on (sign-in links carry their token in the
// URL), and no content-type sniffing. A response that sets its own policy keeps it
// (GraphiQL, see graphiql.ts).
import type { ServerAdapterPlugin } from '@whatwg-node/server';

/** The admin UI's policy: its build has no inline script or style (the favicon is a data: URL). */
export const UI_POLICY: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

export const contentSecurityPolicy = (directives: Record<string, string>) =>
  Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': contentSecurityPolicy(UI_POLICY),
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function useSecurityHeaders(): ServerAdapterPlugin {
  return {
    onResponse({ response, setResponse }) {
      const missing = Object.entries(SECURITY_HEADERS).filter(([name]) => !response.headers.has(name));
      if (missing.length === 0) return;
      try {
        for (const [name, value] of missing) response.headers.set(name, value);
      } catch {
        // Immutable headers (a redirect made with Response.redirect): the same answer, with them.
        const headers = new Headers(response.headers);
        for (const [name, value] of missing) headers.set(name, value);
        setResponse(new Response(response.body, { status: response.status, statusText: response.statusText, headers }));
      }
    },
  };
}
