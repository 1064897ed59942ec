// In production, a request Lumen cannot read (an address or a cookie that is not
// valid percent-encoding, an unparsable URL) is answered 400 with what to fix, an
// unexpected failure a plain 500 with the request id; never a stack trace or a path.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { log } from '../src/log.ts';
import { generateSecret } from '../src/domain/secrets.ts';
import { app } from '../src/yoga.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
let server: Server;
let closed = false;
before(async () => {
  lumen = await startLumen({ NODE_ENV: 'production' });
  log.level = 'silent'; // this file fails requests on purpose
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  server.close();
  if (!closed) await lumen.close();
});

/** What a stack trace or a source path looks like in a body. */
const LEAKS = /\bat .+\(|node_modules|\/src\/|\.ts:\d+|URIError|TypeError/;

function assertNoLeak(body: string) {
  assert.doesNotMatch(body, LEAKS, `the response leaks internals: ${body.slice(0, 300)}`);
}

/** A raw HTTP/1.1 exchange, for what fetch would refuse to send. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

test('an address that is not valid percent-encoding is a 400', async () => {
  for (const path of ['/%E0%A4%A', '/assets/%E0%A4%A.js', '/clients/%ZZ']) {
    const response = await lumen.fetch(path);
    assert.equal(response.status, 400, path);
    const body = await response.text();
    assert.match(body, /percent-encoding/);
    assertNoLeak(body);
  }
});

test('a malformed session cookie is a 400, for GraphQL and for sign-out', async () => {
  const cookie = 'lumen_session=%E0%A4%A';
  const graphql = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-lumen-csrf': '1' },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  assert.equal(graphql.status, 400);
  const result = await graphql.json();
  assert.equal(result.errors[0].extensions.code, 'BAD_REQUEST');
  assert.match(result.errors[0].message, /cookie is malformed.*sign in again/);
  assertNoLeak(JSON.stringify(result));

  const logout = await lumen.fetch('/auth/logout', { method: 'POST', headers: { cookie } });
  assert.equal(logout.status, 400);
  assertNoLeak(await logout.text());
});

test('over a real socket: a malformed address or Host header is a 400 without a stack', async () => {
  const badPath = await raw('GET /%E0%A4%A HTTP/1.1\r\nHost: lumen.test\r\nConnection: close\r\n\r\n');
  assert.match(badPath, /^HTTP\/1\.1 400 /);
  assertNoLeak(badPath);
  const badHost = await raw('GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
  assert.match(badHost, /^HTTP\/1\.1 400 /);
  assert.match(badHost, /x-request-id: /i);
  assertNoLeak(badHost);
});

test('an unexpected failure outside GraphQL is a plain 500 naming the request id, logged with it', async (t) => {
  const errors = t.mock.method(log, 'error');
  // A route that needs the database, after this process closed it (not an outage, which is a 503):
  // following a well-formed sign-in link looks it up.
  closed = true;
  await lumen.close();
  const response = await lumen.fetch(`/auth/login?token=${generateSecret('lnk')}`, { headers: { 'x-request-id': 'trace-500' } });
  assert.equal(response.status, 500);
  assert.equal(response.headers.get('x-request-id'), 'trace-500');
  const body = await response.text();
  assert.match(body, /request id trace-500/);
  assertNoLeak(body);
  const logged = errors.mock.calls.map((call) => call.arguments[0] as { requestId?: string; err?: unknown });
  assert.ok(
    logged.some((entry) => entry.requestId === 'trace-500' && entry.err instanceof Error),
    'the failure was not logged with its request id',
  );
});
