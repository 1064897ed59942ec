// Logs and metrics of a real server process: JSON lines with request ids, no
// secret ever written, Prometheus metrics at /metrics.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TypedDocumentString } from './gql/graphql.ts';
import { graphql } from './gql/index.ts';
import type { GqlResult } from './support/lumen.ts';
import { spawnServer, stopServer } from './support/spawnServer.ts';

let server: ChildProcess;
let output: () => string;
let base: string;
let dataDir: string;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-logs-'));
  const started = await spawnServer({
    env: {
      PORT: '0',
      LUMEN_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      LUMEN_LOG_LEVEL: 'debug',
      DATABASE_URL: '',
      REDIS_URL: '',
      LUMEN_SECRET: '',
    },
    timeoutMs: 60_000,
  });
  server = started.child;
  output = started.output;
  base = started.url;
});

after(async () => {
  await stopServer(server);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('secrets never reach the logs, and every request line has a request id', async () => {
  // The first start prints a sign-in link for the operator (on purpose, once); using it spends it.
  const firstLink = /(http:\/\/localhost:\d+\/auth\/login\?token=\S+)/.exec(output())![1];
  const signIn = await fetch(firstLink.replace(/^http:\/\/localhost:\d+/, base), { redirect: 'manual' });
  assert.equal(signIn.status, 303);
  const session = signIn.headers.get('set-cookie')!.split(';')[0];
  const gql = async <T, V>(query: TypedDocumentString<T, V>, variables?: V) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session, 'x-lumen-csrf': '1', 'x-request-id': 'trace-me-123' },
      body: JSON.stringify({ query: String(query), variables: variables ?? {} }),
    });
    assert.equal(response.headers.get('x-request-id'), 'trace-me-123');
    return ((await response.json()) as GqlResult<T>).data!;
  };
  const client = (
    await gql(
      graphql(`
        mutation Observability_CreateClient {
          createClient(input: { name: "Logged" }) {
            client {
              id
            }
          }
        }
      `),
    )
  ).createClient.client.id;
  await gql(
    graphql(`
      mutation Observability_SetPool($c: ID!) {
        setClientCoinPool(input: { clientId: $c, state: UNLIMITED }) {
          client {
            id
          }
        }
      }
    `),
    { c: client },
  );
  await gql(
    graphql(`
      mutation Observability_CreateModel {
        createModel(
          input: { name: "echo-log", provider: "echo", upstreamModel: "echo", inputCoinsPerMillion: "1", outputCoinsPerMillion: "2" }
        ) {
          model {
            id
          }
        }
      }
    `),
  );
  const created = (
    await gql(
      graphql(`
        mutation Observability_CreateKey($c: ID!) {
          createApiKey(input: { clientId: $c, name: "prod" }) {
            secret
            apiKey {
              id
            }
          }
        }
      `),
      { c: client },
    )
  ).createApiKey;
  const chat = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${created.secret}` },
    body: JSON.stringify({ model: 'echo-log', messages: [{ role: 'user', content: 'hello' }] }),
  });
  assert.equal(chat.status, 200);
  const wrong = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    // The last character changed (to one it is not: a secret ending in x stayed right 1 time in 64).
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${created.secret.slice(0, -1)}${created.secret.endsWith('x') ? 'y' : 'x'}`,
    },
    body: JSON.stringify({ model: 'echo-log', messages: [{ role: 'user', content: 'hello' }] }),
  });
  assert.equal(wrong.status, 401);
  const replay = await fetch(firstLink.replace(/^http:\/\/localhost:\d+/, base), { redirect: 'manual' });
  assert.equal(replay.headers.get('location'), '/signin?error=expired', 'the printed link works once');

  const secrets = [created.secret, created.secret.slice(3, 20), session.split('=')[1], new URL(firstLink).searchParams.get('token')!];
  // A request's line is written after its answer is sent: wait (bounded) for the last one to arrive.
  const requestLines = () =>
    output()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"')).length;
  for (let i = 0; i < 100 && requestLines() < 8; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const lines = output()
    .split('\n')
    .filter((line) => line.startsWith('{'));
  const withoutOperatorNotice = output().replace(firstLink, '');
  for (const secret of secrets) assert.ok(!withoutOperatorNotice.includes(secret), `a secret was logged: ${secret.slice(0, 6)}…`);
  const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');
  assert.ok(requests.length >= 8, `expected request lines, got ${requests.length}`);
  for (const entry of requests) {
    assert.ok(entry.requestId, 'request line without requestId');
    assert.ok(!String(entry.path).includes('?'), 'a query string was logged');
  }
  assert.ok(requests.some((entry) => entry.requestId === 'trace-me-123' && entry.path === '/graphql'));
});

test('/metrics reports HTTP, GraphQL and /v1 figures', async () => {
  const response = await fetch(`${base}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(text, /lumen_http_requests_total\{route="\/graphql",method="POST",status="200"\} \d+/);
  assert.match(text, /graphql_envelop_request_duration/);
  assert.match(text, /lumen_process_/);
  assert.match(text, /lumen_v1_requests_total\{model="echo-log",status="200"\} 1\b/);
  assert.match(text, /lumen_v1_requests_total\{model="-",status="401"\} 1\b/);
  assert.match(text, /lumen_coins_spent_total\{model="echo-log"\} [0-9.e-]+/);
  assert.doesNotMatch(text, /sk_|lnk_|ses_/);
});
