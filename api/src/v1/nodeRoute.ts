// /v1 straight from node:http, ahead of the GraphQL server: no Fetch API Request/Response
// to build and convert for every call (see the hot-path profile in api/bench/README.md).
// It answers what the fetch route answers, with the headers every Lumen answer carries
// (security headers, x-request-id) and the same log line and metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../http/securityHeaders.ts';
import { chooseRequestId, recordAnswered } from '../http/observability.ts';
import { log } from '../log.ts';
import type { V1Answer, V1Request } from './exchange.ts';
import { answerV1 } from './handler.ts';

/** Whether node:http should hand this request to /v1 (the query string aside). */
export function isV1Path(url: string | undefined): boolean {
  return !!url && (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?'));
}

export async function serveV1(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = req.url ?? '/v1';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const incomingId = req.headers['x-request-id'];
  const requestId = chooseRequestId(typeof incomingId === 'string' ? incomingId : null);
  // The caller is gone when the connection closes before the whole answer was written.
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new Error('client disconnected'));
  });
  const request: V1Request = {
    method: req.method ?? 'GET',
    path,
    header: (name) => {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    body: () => (req.method === 'GET' || req.method === 'HEAD' ? null : unclosing(req)),
    signal: gone.signal,
  };
  let status = 500;
  try {
    const answer = await answerV1(request);
    status = answer.status;
    // A body not read to its end (refused as too large) is not read on: the connection closes after the answer.
    await write(res, answer, requestId, req.complete);
  } catch (error) {
    // answerV1 answers its own failures; this is a failure to write (the caller left).
    if (!res.headersSent) {
      res.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'x-request-id': requestId });
      res.end(`Lumen failed to handle the request (request id ${requestId}).`);
    } else res.destroy();
    if (!gone.signal.aborted) log.error({ err: error, requestId, path }, '/v1 answer could not be written');
  }
  const seconds = (performance.now() - started) / 1000;
  recordAnswered(requestId, request.method, path, status, seconds);
}

/**
 * The request body without the stream's own clean-up: stopping early (a body over the limit)
 * must not destroy the socket before the 413 is written.
 */
function unclosing(req: IncomingMessage): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const chunks = req[Symbol.asyncIterator]();
      return { next: () => chunks.next() };
    },
  };
}

async function write(res: ServerResponse, answer: V1Answer, requestId: string, keepAlive: boolean): Promise<void> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...answer.headers, 'x-request-id': requestId };
  if (!keepAlive) headers.connection = 'close';
  if (!('stream' in answer)) {
    const body = JSON.stringify(answer.json);
    res.writeHead(answer.status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(answer.status, headers);
  res.flushHeaders();
  const reader = answer.stream.getReader();
  // A caller that leaves mid-stream cancels the relay, which stops the upstream and settles the request.
  const cancel = () => void reader.cancel(new Error('client disconnected')).catch(() => undefined);
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    res.off('close', cancel);
  }
}
