// A webhook receiver for the budget alert tests: a tiny node:http server on 127.0.0.1 (outside
// Lumen, so a stand-in is allowed) that records every POST and answers each path with the
// statuses queued for it (200 once the queue is empty).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
  status: number;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  private statuses = new Map<string, number[]>();
  private waiters: { count: number; path: string; resolve: () => void }[] = [];
  private hooks = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    // The handler needs the receiver, which needs the server's port: it is looked up when a request comes.
    const holder: { receiver?: WebhookReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => holder.receiver!.take(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    return holder.receiver;
  }

  /** A fresh URL on this receiver, answered with `statuses` in turn (then 200). */
  hook(statuses: number[] = []): string {
    const path = `/hook/${++this.hooks}`;
    this.statuses.set(path, [...statuses]);
    return `${this.origin}${path}`;
  }

  /** What one hook received. */
  at(url: string): Received[] {
    const path = new URL(url).pathname;
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once the hook has received `count` requests in all. */
  waitFor(url: string, count: number): Promise<void> {
    const path = new URL(url).pathname;
    if (this.at(url).length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, path, resolve }));
  }

  private take(path: string, headers: Received['headers'], body: string, res: import('node:http').ServerResponse) {
    const queue = this.statuses.get(path) ?? [];
    const status = queue.shift() ?? 200;
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // recorded as it came
    }
    this.received.push({ path, headers, body, json, status });
    if (status >= 300 && status < 400) res.setHeader('location', `${this.origin}/elsewhere`);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status < 300 ? 'ok' : 'no');
    this.waiters = this.waiters.filter((w) => {
      if (w.path !== path || this.received.filter((r) => r.path === path).length < w.count) return true;
      w.resolve();
      return false;
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Checks a Lumen-Signature header the way a receiver should (README, "Budget alerts"). */
export function signatureIsValid(header: string | string[] | undefined, body: string, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  if (!/^\d+$/.test(parts.t ?? '') || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}
