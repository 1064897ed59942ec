// The answers orchestrators and Prometheus ask for every few seconds: /healthz (liveness),
// /readyz (readiness) and /metrics. The same answers come from the Yoga plugins (routes.ts,
// metricsEndpoint.ts, for tests and the fetch entry point) and straight from node:http
// (serveProbe, server.ts), so that probing an instance never loads the admin API, which
// server.ts loads on its first request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { config } from '../config.ts';
import { registry } from '../metrics.ts';
import { readiness } from './health.ts';
import { chooseRequestId, recordAnswered } from './observability.ts';
import { SECURITY_HEADERS } from './securityHeaders.ts';

export interface ProbeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const NO_STORE = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** Liveness: answering is the proof, so no database query (an outage must not get every instance restarted). */
export const livenessAnswer = (): ProbeAnswer => ({ status: 200, headers: NO_STORE, body: JSON.stringify({ status: 'ok' }) });

/** 200 when ready, 503 otherwise, always with the body (never cached). */
export async function readinessAnswer(): Promise<ProbeAnswer> {
  const { ready, body } = await readiness();
  return { status: ready ? 200 : 503, headers: NO_STORE, body: JSON.stringify(body) };
}

/** Prometheus' text format; with LUMEN_METRICS_TOKEN set, only for `Authorization: Bearer <it>`. */
export async function metricsAnswer(authorization: string | null): Promise<ProbeAnswer> {
  const token = config().metricsToken;
  if (token && authorization !== `Bearer ${token}`)
    return { status: 401, headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: 'Unauthorized' };
  return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
}

export const toResponse = (answer: ProbeAnswer) => new Response(answer.body, { status: answer.status, headers: answer.headers });

/** Whether node:http should answer this request here (GET or HEAD of a probe path, no query string needed). */
export function isProbe(method: string | undefined, url: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url?.split('?', 1)[0];
  return path !== undefined && PROBE_PATHS.has(path);
}

export async function serveProbe(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const path = (req.url ?? '/').split('?', 1)[0];
  const incomingId = req.headers['x-request-id'];
  const requestId = chooseRequestId(typeof incomingId === 'string' ? incomingId : null);
  let answer: ProbeAnswer;
  try {
    answer =
      path === '/healthz'
        ? livenessAnswer()
        : path === '/readyz'
          ? await readinessAnswer()
          : await metricsAnswer(req.headers.authorization ?? null);
  } catch {
    answer = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${path} failed (request id ${requestId})` };
  }
  res.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    ...answer.headers,
    'x-request-id': requestId,
    'content-length': Buffer.byteLength(answer.body),
  });
  res.end(req.method === 'HEAD' ? undefined : answer.body);
  recordAnswered(requestId, req.method ?? 'GET', path, answer.status, (performance.now() - started) / 1000);
}
