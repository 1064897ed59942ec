// `npm run bench`: non-streaming echo requests at a fixed concurrency, through
// Lumen (key check, access, metering, usage records) and straight to the echo
// provider, in the same run on loopback. The headline is the latency Lumen adds.
//
// BENCH_CONCURRENCY (default 16) and BENCH_SECONDS per measurement (default 8).
// Lumen uses a fresh embedded database in a temporary folder, or, with
// BENCH_DATABASE_URL=postgresql://..., a fresh PostgreSQL database it drops after.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { createClient } from '../src/domain/clients.ts';
import { setClientCoinPool } from '../src/domain/coinPools.ts';
import { createModel } from '../src/domain/models.ts';
import { createUser } from '../src/domain/users.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog' }] });

function start(script: string, env: Record<string, string>, pattern: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: apiDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (data: Buffer) => {
      output += data.toString();
      const match = pattern.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

async function stop(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Result {
  requests: number;
  failures: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** `concurrency` loops, each sending its next request when the last one is answered. */
async function measure(url: string, headers: Record<string, string>, durationMs: number): Promise<Result> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await response.arrayBuffer();
        if (response.ok) latencies.push(performance.now() - t0);
        else failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, failures, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

async function seed(env: Record<string, string>): Promise<string> {
  const database = await openLumen(loadConfig(env), { purpose: 'bench set-up' });
  try {
    const user = await createUser(null, { email: 'bench@example.org', name: 'Bench', isAdmin: true });
    const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
    const client = await createClient(viewer, { name: 'Bench' });
    await setClientCoinPool(viewer, client.id, { state: 'UNLIMITED' });
    await createModel(viewer, { name: 'echo', provider: 'echo', upstreamModel: 'echo', inputCoinsPerMillion: '1.5', outputCoinsPerMillion: '2.5' });
    return (await createApiKey(viewer, { clientId: client.id }, { name: 'bench' })).secret;
  } finally {
    await closeLumen(database);
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-'));
  const adminUrl = process.env.BENCH_DATABASE_URL;
  const dbName = `lumen_bench_${process.pid}`;
  let databaseUrl = '';
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const env = { NODE_ENV: 'test', LUMEN_DATA_DIR: dataDir, LUMEN_SECRET: randomBytes(32).toString('base64url'), PORT: '0', DATABASE_URL: databaseUrl, REDIS_URL: '' };
  let lumen: ChildProcess | undefined;
  let echo: ChildProcess | undefined;
  try {
    const key = await seed(env);
    const [l, e] = await Promise.all([
      start('src/server.ts', env, /Lumen is listening on port (\d+)/),
      start('bench/echoServer.ts', {}, /echo is listening on port (\d+)/),
    ]);
    lumen = l.child;
    echo = e.child;
    const lumenUrl = `http://127.0.0.1:${l.port}/v1/chat/completions`;
    const echoUrl = `http://127.0.0.1:${e.port}/v1/chat/completions`;
    const auth = { authorization: `Bearer ${key}` };
    console.log(`Warming up, then ${seconds} s each at concurrency ${concurrency} (${adminUrl ? 'PostgreSQL' : 'embedded database'}, loopback)...`);
    await measure(echoUrl, {}, 1000);
    await measure(lumenUrl, auth, 1000);
    const direct = await measure(echoUrl, {}, seconds * 1000);
    const through = await measure(lumenUrl, auth, seconds * 1000);
    const row = (name: string, r: Result) =>
      `${name.padEnd(22)}${r.perSecond.toFixed(0).padStart(10)}${r.p50.toFixed(2).padStart(10)}${r.p99.toFixed(2).padStart(10)}${String(r.failures).padStart(10)}`;
    console.log(`\n${''.padEnd(22)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'failed'.padStart(10)}`);
    console.log(row('echo directly', direct));
    console.log(row('through Lumen', through));
    console.log(`\nthroughput ratio (Lumen / direct): ${(through.perSecond / direct.perSecond).toFixed(2)}`);
    console.log(`latency ratio p50 (Lumen / direct): ${(through.p50 / direct.p50).toFixed(2)}`);
    console.log(`\nLumen adds ${(through.p50 - direct.p50).toFixed(2)} ms per request at p50 (${(through.p99 - direct.p99).toFixed(2)} ms at p99).`);
    if (through.failures > 0 || direct.failures > 0) process.exitCode = 1;
  } finally {
    await Promise.all([stop(lumen), stop(echo)]);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (adminUrl) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
