// GraphQL over WebSocket on a real HTTP server: the body limit holds for messages,
// unacknowledged sockets are few and short-lived, and the session cookie counts
// only from Lumen's own origin or LUMEN_CORS_ORIGINS.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { config, setConfig } from '../src/config.ts';
import { createLoginLink } from '../src/domain/auth.ts';
import { WEBSOCKET_LIMITS } from '../src/http/limits.ts';
import { attachWebSocket } from '../src/http/websocket.ts';
import { yoga } from '../src/yoga.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type GqlResult, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';

const PROTOCOL = 'graphql-transport-ws';
const CONFIGURED = 'https://dashboard.example.org';

interface Running {
  port: number;
  url: string;
  stop(): Promise<void>;
}

async function serve(connectionInitTimeoutMs: number): Promise<Running> {
  const server = http.createServer(yoga);
  const detach = attachWebSocket(server, yoga, { connectionInitTimeoutMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `ws://127.0.0.1:${port}/graphql`,
    async stop() {
      await detach();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let lumen: TestLumen;
let admin: TestUser;
let patient: Running; // sockets wait a minute for connection_init
let hasty: Running; // sockets wait 100 ms
const sockets: WebSocket[] = [];

before(async () => {
  // One proxy in front: the client address is the last X-Forwarded-For entry.
  lumen = await startLumen({ LUMEN_TRUST_PROXY: 'true', LUMEN_CORS_ORIGINS: CONFIGURED });
  admin = await lumen.user({ admin: true });
  patient = await serve(60_000);
  hasty = await serve(100);
});
after(async () => {
  for (const socket of sockets) socket.terminate();
  await patient.stop();
  await hasty.stop();
  await lumen.close();
});

/** Opens a socket, or rejects with the HTTP status that refused the upgrade. */
function connect(url: string, options: { forwardedFor?: string; origin?: string; cookie?: string } = {}): Promise<WebSocket> {
  const headers: Record<string, string> = {};
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  if (options.cookie) headers.cookie = options.cookie;
  const socket = new WebSocket(url, PROTOCOL, { headers, origin: options.origin });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }));
    });
    socket.once('error', reject);
  });
}

const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
/** A graphql-ws message; `T` is the data of the operation it answers. */
interface WsMessage<T = unknown> {
  type: string;
  id?: string;
  payload?: GqlResult<T>;
}
const message = <T = unknown>(socket: WebSocket) =>
  new Promise<WsMessage<T>>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as WsMessage<T>)));

async function acknowledged(socket: WebSocket): Promise<void> {
  const reply = message(socket);
  socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  assert.equal((await reply).type, 'connection_ack');
}

const refusedWith = async (opening: Promise<WebSocket>) => {
  await assert.rejects(opening, (error: Error & { status?: number }) => error.status === 429);
};

/** Retries an upgrade until accepted: a closed socket leaves the count when the server sees it close. */
async function eventuallyConnect(url: string, forwardedFor: string): Promise<WebSocket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(url, { forwardedFor });
    } catch (error) {
      if ((error as { status?: number }).status !== 429 || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

test('a message larger than the body limit closes the socket (1009) instead of being buffered', async () => {
  const socket = await connect(patient.url);
  const outcome = Promise.race([closeCode(socket).then((code) => ({ code })), message(socket).then((reply) => ({ reply: reply.type }))]);
  socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(WEBSOCKET_LIMITS.maxPayloadBytes) } }));
  assert.deepEqual(await outcome, { code: 1009 });

  // An 80 MB frame is refused from its header: the server closes after 16 KiB of it.
  const raw = await new Promise<import('node:net').Socket>((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port: patient.port,
      path: '/graphql',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-protocol': PROTOCOL,
      },
    });
    request.once('upgrade', (_res, upgraded) => resolve(upgraded));
    request.once('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    request.once('error', reject);
    request.end();
  });
  const header = Buffer.alloc(14);
  header[0] = 0x81; // final text frame
  header[1] = 0x80 | 127; // masked, 64-bit length follows
  header.writeBigUInt64BE(80_000_000n, 2);
  randomBytes(4).copy(header, 10);
  const received: Buffer[] = [];
  const ended = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  raw.on('data', (chunk) => received.push(chunk));
  raw.write(Buffer.concat([header, Buffer.alloc(16 * 1024)]));
  await ended;
  const reply = Buffer.concat(received);
  assert.equal(reply[0], 0x88, 'a close frame');
  assert.equal(reply.readUInt16BE(2), 1009);
});

test('a socket that never sends connection_init is closed (4408)', async () => {
  const socket = await connect(hasty.url);
  assert.equal(await closeCode(socket), 4408);
});

test('at most 20 sockets per address wait for connection_init; more are refused (429)', async () => {
  const max = WEBSOCKET_LIMITS.maxUnacknowledgedPerAddress;
  assert.equal(max, 20);
  // Spoofed left-hand X-Forwarded-For entries do not make a client look like many.
  const from = (i: number) => `192.0.2.${i}, 203.0.113.1`;
  const waiting: WebSocket[] = [];
  for (let i = 0; i < max; i++) waiting.push(await connect(patient.url, { forwardedFor: from(i) }));
  await refusedWith(connect(patient.url, { forwardedFor: from(max) }));
  // Another address is not affected.
  await acknowledged(await connect(patient.url, { forwardedFor: '203.0.113.2' }));

  // An acknowledged socket no longer counts ...
  await acknowledged(waiting[0]);
  const replacement = await connect(patient.url, { forwardedFor: from(99) });
  await refusedWith(connect(patient.url, { forwardedFor: from(100) }));
  // ... nor does a closed one.
  replacement.close();
  await closeCode(replacement);
  await eventuallyConnect(patient.url, from(101));
  await refusedWith(connect(patient.url, { forwardedFor: from(102) }));

  // Sockets closed for not sending connection_init in time free their places too.
  const dropped = await Promise.all(Array.from({ length: max }, () => connect(hasty.url, { forwardedFor: '203.0.113.3' })));
  await Promise.all(dropped.map(closeCode));
  await eventuallyConnect(hasty.url, '203.0.113.3');
});

test('the session cookie counts only from Lumen’s own origin or LUMEN_CORS_ORIGINS', async () => {
  const { url } = await createLoginLink(admin.email, 'http://lumen.test');
  const signIn = await lumen.fetch(new URL(url).pathname + new URL(url).search, { redirect: 'manual' });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
  const VIEWER = graphql(`
    query WebSocket_Viewer {
      viewer {
        email
      }
    }
  `);
  const viewerFrom = async (origin: string) => {
    const socket = await connect(patient.url, { cookie, origin, forwardedFor: '203.0.113.4' });
    await acknowledged(socket);
    const reply = message<ResultOf<typeof VIEWER>>(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: String(VIEWER) } }));
    const result = (await reply).payload;
    socket.close();
    return result?.data?.viewer?.email ?? result?.errors?.[0]?.extensions?.code;
  };
  assert.equal(await viewerFrom('http://lumen.test'), admin.email);
  assert.equal(await viewerFrom(CONFIGURED), admin.email);
  assert.equal(await viewerFrom('http://evil.lumen.test'), 'UNAUTHENTICATED');
  // Development makes no exception (the Vite dev server is an origin like any other: list it).
  const current = config();
  setConfig({ ...current, env: 'development' });
  try {
    assert.equal(await viewerFrom('http://evil.lumen.test'), 'UNAUTHENTICATED');
  } finally {
    setConfig(current);
  }
});
