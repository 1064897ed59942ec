// `lumen` while the server runs on the embedded database: the command line cannot open the
// data folder, so the server runs the command, through a 0600 socket, and the command line
// prints its answer. Sign-in links use the server's public URL, also once it has stopped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { openCliSocket } from '../src/cli/socketServer.ts';
import { MAX_SOCKET_PATH_BYTES, readServerRecord } from '../src/cli/socket.ts';
import { sendToServer } from '../src/cli/socketClient.ts';
import { SESSION_COOKIE } from '../src/http/cookies.ts';
import { API_DIR, spawnServer, stopServer, type SpawnedServer } from './support/spawnServer.ts';
import { startLumen } from './support/lumen.ts';

const run = promisify(execFile);
let dataDir: string;
let server: SpawnedServer;

/** The command line as an operator runs it: an environment that has neither the server's LUMEN_PUBLIC_URL nor its PORT. */
async function lumen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: API_DIR,
      env: {
        ...process.env,
        LUMEN_DATA_DIR: dataDir,
        DATABASE_URL: '',
        LUMEN_SECRET: '',
        NODE_ENV: 'development',
        LUMEN_PUBLIC_URL: '',
        PORT: '4999',
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

/** Follows a sign-in link on the running server; the session's viewer, or null. */
async function signIn(link: string): Promise<string | null> {
  const { pathname, search } = new URL(link);
  const answer = await fetch(`${server.url}${pathname}${search}`, { redirect: 'manual' });
  assert.equal(answer.status, 303);
  const cookie = /lumen_session=[^;]+/.exec(answer.headers.get('set-cookie') ?? '')?.[0];
  if (!cookie?.startsWith(`${SESSION_COOKIE}=`)) return null;
  const viewer = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-lumen-csrf': '1' },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  return ((await viewer.json()) as { data?: { viewer?: { email: string } } }).data?.viewer?.email ?? null;
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-cli-socket-'));
  server = await spawnServer({
    env: {
      PORT: '0',
      LUMEN_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      DATABASE_URL: '',
      REDIS_URL: '',
      LUMEN_SECRET: '',
      LUMEN_PUBLIC_URL: '',
    },
    timeoutMs: 90_000,
  });
});
after(async () => {
  await stopServer(server?.child);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the server takes commands on a 0600 socket in the data folder, and says where in the data folder', () => {
  const socket = path.join(dataDir, 'lumen.sock');
  const stat = fs.statSync(socket);
  assert.ok(stat.isSocket());
  assert.equal(stat.mode & 0o777, 0o600);
  assert.equal(readServerRecord(dataDir)?.socket, socket);
});

test('user add, then login-link, sent to the running server; the link signs in there', async () => {
  const added = await lumen('user', 'add', '--email', 'Ada@Example.org', '--name', 'Ada Lovelace');
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stdout.trim(), 'Added user Ada Lovelace <ada@example.org>');

  const link = await lumen('login-link', '--email', 'ada@example.org');
  assert.equal(link.code, 0, link.stderr);
  // The server's address (PORT=0 chose it), not the command line's PORT or a default.
  assert.match(lastLine(link.stdout), new RegExp(`^http://localhost:${server.port}/auth/login\\?token=lnk_`));
  assert.equal(await signIn(lastLine(link.stdout)), 'ada@example.org');

  const list = await lumen('user', 'list');
  assert.equal(list.code, 0, list.stderr);
  const ada = list.stdout.split('\n').find((line) => line.startsWith('ada@example.org'));
  assert.match(ada ?? '', /^ada@example\.org\s+Ada Lovelace\s+no\s+yes\s+\d{4}-\d\d-\d\dT/, list.stdout);
  assert.match(list.stdout, /^admin@localhost\s+\S.*\s+yes\s+yes\s+never$/m, 'the first admin, never signed in');
});

test('token create, list and revoke, and mistakes, answered by the server as the command line answers them', async () => {
  const created = await lumen('token', 'create', '--email', 'ada@example.org', '--name', 'laptop');
  assert.equal(created.code, 0, created.stderr);
  const token = lastLine(created.stdout);
  assert.match(token, /^lat_[A-Za-z0-9_-]{49}$/);
  const viewer = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  assert.deepEqual(await viewer.json(), { data: { viewer: { email: 'ada@example.org' } } });

  const listed = await lumen('token', 'list', '--email', 'ada@example.org');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /"laptop"/);
  const id = listed.stdout.trim().split(/\s+/)[0];
  const revoked = await lumen('token', 'revoke', '--id', id);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked admin-API token "laptop"/);

  const unlink = await lumen('user', 'unlink-oidc', '--email', 'ada@example.org');
  assert.equal(unlink.code, 1);
  assert.match(unlink.stderr, /^lumen: ada@example.org is not linked to an identity provider's account/);
  const missing = await lumen('token', 'create');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^lumen: --email is required/);
  const badFlag = await lumen('user', 'list', '--colour');
  assert.equal(badFlag.code, 1);
  assert.match(badFlag.stderr, /^lumen: Unknown option '--colour'/);
});

/** Sends raw bytes to the socket, as any local program could; what came back. */
function rawRequest(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const connection = net.createConnection(path.join(dataDir, 'lumen.sock'), () => connection.end(bytes));
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => (received += chunk));
    connection.on('close', () => resolve(received));
    connection.on('error', reject);
  });
}

test('a malformed request gets an error line, and the server goes on', async () => {
  for (const bytes of ['not json\n', '{"argv": "user list"}\n', '{"argv": [1, 2]}\n', 'null\n', '{"argv": ["user"', 'x'.repeat(70_000)]) {
    const answer = await rawRequest(bytes);
    assert.equal(answer.split('\n').length, 2, `not one line: ${answer.slice(0, 200)}`);
    const { code, stderr } = JSON.parse(answer) as { code: number; stderr: string };
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^lumen: malformed request/);
  }
  const unknown = JSON.parse(await rawRequest('{"argv": ["constructor"]}\n')) as { code: number; stderr: string };
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^Unknown command "constructor"/);
  const still = await lumen('user', 'list');
  assert.equal(still.code, 0, `the server stopped answering: ${still.stderr}`);
});

test('after the server stops, the socket is gone and the command line runs itself, with the server’s public URL', async () => {
  await stopServer(server.child);
  assert.equal(fs.existsSync(path.join(dataDir, 'lumen.sock')), false, `the socket was left behind: ${server.output()}`);
  assert.equal(readServerRecord(dataDir)?.socket, null, `${fs.readdirSync(dataDir).join(' ')}\n${server.output()}`);
  const link = await lumen('login-link', '--email', 'ada@example.org');
  assert.equal(link.code, 0, link.stderr);
  assert.match(lastLine(link.stdout), new RegExp(`^http://localhost:${server.port}/auth/login\\?token=lnk_`));
  assert.equal(link.stderr, '', 'no warning: the URL is the server’s');
});

test('with a data folder path too long for a socket, a 0600 socket in a private temporary folder; removed at close', async (t) => {
  const test = await startLumen();
  t.after(() => test.close());
  const longDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-long-')), 'a'.repeat(MAX_SOCKET_PATH_BYTES));
  fs.mkdirSync(longDir, { mode: 0o700 });
  t.after(() => fs.rmSync(path.dirname(longDir), { recursive: true, force: true }));
  const socket = await openCliSocket(longDir, 'https://lumen.example.org');
  try {
    assert.ok(Buffer.byteLength(socket.path) <= MAX_SOCKET_PATH_BYTES, socket.path);
    assert.equal(path.dirname(path.dirname(socket.path)), os.tmpdir());
    assert.equal(fs.statSync(socket.path).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(socket.path)).mode & 0o777, 0o700);
    assert.equal(readServerRecord(longDir)?.socket, socket.path);
    assert.equal((await test.user({ name: 'Grace Hopper' })).email, 'grace.hopper@example.org');
    const sent = await sendToServer(longDir, ['login-link', '--email', 'grace.hopper@example.org']);
    assert.ok('answer' in sent, JSON.stringify(sent));
    assert.equal(sent.answer.code, 0, sent.answer.stderr);
    assert.match(lastLine(sent.answer.stdout), /^https:\/\/lumen\.example\.org\/auth\/login\?token=lnk_/);
  } finally {
    await socket.close();
  }
  assert.equal(fs.existsSync(path.dirname(socket.path)), false, 'the temporary folder was left behind');
  assert.deepEqual(await sendToServer(longDir, ['user', 'list']), {
    notSent: 'no running server records a command socket in the data folder',
  });
});
