// Closed-loop load: `concurrency` loops, each sending its next unit of work when
// the last one is answered, until a deadline. Closed-loop (not a fixed arrival
// rate) so a slower server gets fewer requests instead of an ever-growing queue.
import http from 'node:http';

export interface Result {
  /** Successful units of work. */
  requests: number;
  failures: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** The first failure's description, to say why. */
  firstFailure?: string;
}

/** `work` returns null when it succeeded, or why it failed. */
export async function measure(work: () => Promise<string | null>, concurrency: number, durationMs: number): Promise<Result> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const problem = await work().catch((error: unknown) => String(error));
        if (problem === null) latencies.push(performance.now() - t0);
        else {
          failures++;
          firstFailure ??= problem;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, failures, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), firstFailure };
}

/** A POST whose answer must be 2xx; the body is read (and dropped) as a client would. */
export async function post(url: string, headers: Record<string, string>, body: string): Promise<string | null> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return response.ok ? null : `${response.status} ${text.slice(0, 200)}`;
}

/**
 * POSTs over at most `connections` kept-alive connections (node:http with a keep-alive
 * agent): no connection set-up in the figures, and less client work per request than
 * fetch, so that on a small machine the load generator is not what limits a fast server.
 * With one connection, for latency one request at a time.
 */
export function keepAlive(
  origin: string,
  connections: number,
): { post: (path: string, headers: Record<string, string>, body: string) => Promise<string | null>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const post = (path: string, headers: Record<string, string>, body: string) =>
    new Promise<string | null>((resolve, reject) => {
      const request = http.request(
        new URL(path, origin),
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            resolve(status >= 200 && status < 300 ? null : `${status} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { post, close: () => agent.destroy() };
}
