// Which pages may call Lumen with the visitor's cookie. Lumen serves its own UI
// from its own origin, which needs no CORS; any other origin gets no CORS headers
// at all (so a browser never hands it a response), unless LUMEN_CORS_ORIGINS lists
// it exactly. Scripts with a token send no Origin and need no CORS either.
import type { Plugin } from 'graphql-yoga';
import { config } from '../config.ts';

/** Whether a browser request from `origin` may act with the session cookie (also for WebSocket upgrades). */
export function isTrustedOrigin(origin: string): boolean {
  return origin === new URL(config().publicUrl).origin || config().corsOrigins.includes(origin);
}

/** Yoga's `cors` option: credentialed CORS for the configured origins, nothing (false) for any other. */
export function corsOptionsOf(request: Request): false | { origin: string[]; credentials: true } {
  const origin = request.headers.get('origin');
  if (!origin || !config().corsOrigins.includes(origin)) return false;
  return { origin: [origin], credentials: true };
}

/** Answers differ by Origin once some origin gets CORS headers: caches must keep them apart. */
export function useVaryOrigin(): Plugin {
  return {
    onResponse({ response }) {
      if (config().corsOrigins.length > 0 && !/\borigin\b/i.test(response.headers.get('vary') ?? ''))
        response.headers.append('vary', 'Origin');
    },
  };
}
