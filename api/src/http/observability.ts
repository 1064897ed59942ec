// One log line and one metric per HTTP request, with a request id that is echoed
// in the X-Request-Id response header (an incoming one is kept when it looks sane).
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { log } from '../log.ts';
import { recordHttp } from '../metrics.ts';

const started = new WeakMap<Request, { id: string; at: number }>();
const SANE_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The caller's X-Request-Id when it looks sane, else a new one. */
export function chooseRequestId(incoming: string | null | undefined): string {
  return incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
}

/** The one log line and metric of an answered request (Yoga's answers below, /v1's from node:http in v1/nodeRoute.ts). */
export function recordAnswered(requestId: string, method: string, path: string, status: number, seconds: number): void {
  recordHttp(path, method, status, seconds);
  log.info({ requestId, method, path, status, ms: Math.round(seconds * 1000) }, 'request');
}

function begin(request: Request): { id: string; at: number } {
  let start = started.get(request);
  if (!start) {
    const incoming = request.headers.get('x-request-id');
    start = { id: chooseRequestId(incoming), at: performance.now() };
    started.set(request, start);
  }
  return start;
}

/** The request's id, for log lines written while it is handled (lastResort.ts). */
export function requestIdOf(request: Request): string {
  return begin(request).id;
}

/** The path only: query strings can carry sign-in tokens. A URL that does not parse is not echoed. */
function pathOf(request: Request): string {
  return URL.canParse(request.url) ? new URL(request.url).pathname : '(malformed URL)';
}

/** Logs and counts an answered request; also for answers given outside Yoga's hooks (lastResort.ts). */
export function observeResponse(request: Request, response: Response): void {
  const start = begin(request);
  const path = pathOf(request);
  const seconds = (performance.now() - start.at) / 1000;
  try {
    response.headers.set('x-request-id', start.id);
  } catch {
    // some responses have immutable headers; the id is still in the log
  }
  recordAnswered(start.id, request.method, path, response.status, seconds);
}

export function useObservability(): Plugin {
  return {
    onRequest({ request }) {
      begin(request);
    },
    onResponse({ request, response }) {
      observeResponse(request, response);
    },
  };
}
