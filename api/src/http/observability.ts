// One log line and one metric per HTTP request, with a request id that is echoed
// in the X-Request-Id response header (an incoming one is kept when it looks sane).
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { log } from '../log.ts';
import { recordHttp } from '../metrics.ts';

const started = new WeakMap<Request, { id: string; at: number }>();
const SANE_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function useObservability(): Plugin {
  return {
    onRequest({ request }) {
      const incoming = request.headers.get('x-request-id');
      started.set(request, { id: incoming && SANE_ID.test(incoming) ? incoming : randomUUID(), at: performance.now() });
    },
    onResponse({ request, response }) {
      const start = started.get(request);
      if (!start) return;
      const url = new URL(request.url);
      const seconds = (performance.now() - start.at) / 1000;
      try {
        response.headers.set('x-request-id', start.id);
      } catch {
        // some responses have immutable headers; the id is still in the log
      }
      recordHttp(url.pathname, request.method, response.status, seconds);
      // The path only: query strings can carry sign-in tokens.
      log.info({ requestId: start.id, method: request.method, path: url.pathname, status: response.status, ms: Math.round(seconds * 1000) }, 'request');
    },
  };
}
