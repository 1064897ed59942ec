// Start-up errors are fatal and clear: a server that cannot serve exits non-zero, and
// the last line on stderr says what to do. A supervisor must never see a live process
// that serves nothing (a port in use once left one running, its error swallowed by the
// WebSocket server's listener).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { attachWebSocket } from '../src/http/websocket.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { yoga } from '../src/yoga.ts';
import { createScratchDatabase } from './support/scratchDatabase.ts';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const secret = randomBytes(32).toString('base64url');
let scratchDir: string;

before(() => {
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-startup-'));
});
after(() => fs.rmSync(scratchDir, { recursive: true, force: true }));

interface Outcome {
  code: number | null;
  /** stderr's last non-empty line: what an operator (or a supervisor's log) sees. */
  lastLine: string;
  output: string;
}

/** Starts the server with `env`; resolves when it exits (a server still running after a minute is killed and reported). */
function start(env: Record<string, string>): Promise<Outcome> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: apiDir,
    env: { ...process.env, NODE_ENV: 'test', LUMEN_SECRET: secret, REDIS_URL: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let output = '';
  server.stdout!.on('data', (c) => (output += c));
  server.stderr!.on('data', (c) => {
    stderr += c;
    output += c;
  });
  return new Promise((resolve) => {
    const guard = setTimeout(() => {
      server.kill('SIGKILL');
      output += '\n[the server was still running after 60 s: killed by the test]';
    }, 60_000);
    server.once('exit', (code) => {
      clearTimeout(guard);
      const lines = stderr
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      resolve({ code, lastLine: lines.at(-1) ?? '', output });
    });
  });
}

test('a port in use: the server exits non-zero with one line that names the port and what to do', async () => {
  // Held on all interfaces, as the server listens without HOST.
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, resolve));
  const { port } = holder.address() as net.AddressInfo;
  try {
    const dataDir = path.join(scratchDir, 'port-in-use');
    const outcome = await start({ PORT: String(port), LUMEN_DATA_DIR: dataDir });
    assert.equal(outcome.code, 1, `the server did not exit with 1:\n${outcome.output}`);
    assert.match(outcome.lastLine, new RegExp(`port ${port}\\b.*already in use.*PORT`), outcome.output);
    assert.doesNotMatch(outcome.output, /listening on port/, 'it claimed to be listening');
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('a data folder that is a file: the server exits non-zero with one line that says to change LUMEN_DATA_DIR', async () => {
  // Tests may run as root, for whom chmod 000 hides nothing: a file where the folder should be cannot be used by anyone.
  const notAFolder = path.join(scratchDir, 'a-file');
  fs.writeFileSync(notAFolder, 'not a folder');
  const outcome = await start({ PORT: '0', LUMEN_DATA_DIR: notAFolder });
  assert.equal(outcome.code, 1, outcome.output);
  assert.match(outcome.lastLine, /^Lumen could not use the data folder .*a-file \(.*file\): set LUMEN_DATA_DIR/, outcome.output);
  assert.doesNotMatch(outcome.output, /\n\s+at /, 'a stack trace instead of a sentence');
});

test('a database that cannot be reached: the server exits non-zero with one line that names it, without its password', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as net.AddressInfo;
  await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
  const outcome = await start({
    PORT: '0',
    LUMEN_DATA_DIR: path.join(scratchDir, 'no-db'),
    DATABASE_URL: `postgresql://lumen:sesame-${secret}@127.0.0.1:${port}/lumen`,
  });
  assert.equal(outcome.code, 1, outcome.output);
  assert.match(
    outcome.lastLine,
    new RegExp(`^Lumen could not connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/lumen \\(.*\\); check DATABASE_URL`),
    outcome.output,
  );
  assert.ok(!outcome.output.includes(secret), 'the password was printed');
});

test('a database that refuses the schema: the server exits non-zero with one line', async () => {
  // A database a newer Lumen has migrated: this version must not touch it.
  const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
  const scratch = adminUrl ? await createScratchDatabase(adminUrl, 'lumen_test_startup') : null;
  const env = { NODE_ENV: 'test', LUMEN_SECRET: secret, LUMEN_DATA_DIR: path.join(scratchDir, 'newer'), DATABASE_URL: scratch?.url ?? '' };
  try {
    const database = await openLumen(loadConfig(env), { purpose: 'startup test' });
    await database.prisma
      .$executeRaw`INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ('00000000-0000-0000-0000-000000000001', 'x', now(), '99990101000000_from_the_future', 1)`;
    await closeLumen(database);
    const outcome = await start({ ...env, PORT: '0' });
    assert.equal(outcome.code, 1, outcome.output);
    assert.match(
      outcome.lastLine,
      /^The database refused Lumen's schema: .*99990101000000_from_the_future.*Run the newer version of Lumen/,
      outcome.output,
    );
  } finally {
    await scratch?.drop();
  }
});

test("the WebSocket server does not swallow its HTTP server's errors", () => {
  // ws listens for the HTTP server's 'error' to re-emit it; graphql-ws listened to that and only
  // logged it. With no listener of the server's own, the error must surface as it would without ws.
  const server = http.createServer();
  const detach = attachWebSocket(server, yoga);
  try {
    const error = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    assert.throws(() => server.emit('error', error), /EADDRINUSE/);
    // With a listener of its own, the owner decides (server.ts: fatal before listening, logged after).
    let seen: unknown = null;
    server.on('error', (e) => (seen = e));
    server.emit('error', error);
    assert.equal(seen, error);
  } finally {
    void detach();
  }
});
