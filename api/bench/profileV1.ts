// `node --import tsx bench/profileV1.ts`: Lumen's /v1 hot path under load with --cpu-prof,
// for reading where a request's time goes (not part of `npm run bench`). One LIMITED pool,
// one key, the echo model, BENCH_CONCURRENCY (16) requests in flight for BENCH_SECONDS (8).
// The profile lands in PROFILE_DIR (default a temporary folder), and its top functions by
// self time are printed. PostgreSQL with BENCH_DATABASE_URL, else the embedded database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { createClient } from '../src/domain/clients.ts';
import { setClientCoinPool } from '../src/domain/coinPools.ts';
import { createModel } from '../src/domain/models.ts';
import { createUser } from '../src/domain/users.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { API_DIR, LUMEN_LISTENING } from '../test/support/spawnServer.ts';
import { createScratchDatabase } from './lib/database.ts';
import { cpuDuring } from './lib/cpu.ts';
import { keepAlive, measure } from './lib/load.ts';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const profileDir = process.env.PROFILE_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-profile-'));
const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog' }] });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function topSelfTime(file: string, count = 30): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*\/(node_modules|api)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-profile-data-'));
  const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'lumen_profile') : null;
  const env = {
    NODE_ENV: 'production',
    LUMEN_DATA_DIR: dataDir,
    LUMEN_SECRET: randomBytes(32).toString('base64url'),
    LUMEN_PUBLIC_URL: 'http://localhost',
    PORT: '0',
    DATABASE_URL: scratch?.url ?? '',
    REDIS_URL: '',
  };
  const database = await openLumen(loadConfig(env), { purpose: 'profile set-up' });
  let secret: string;
  try {
    const user = await createUser(null, { email: 'profile@example.org', name: 'Profile', isAdmin: true });
    const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
    const client = await createClient(viewer, { name: 'Profile' });
    await setClientCoinPool(viewer, client.id, { state: 'LIMITED', capacity: '1000000000', balance: '1000000000' });
    await createModel(viewer, {
      name: 'echo',
      provider: 'echo',
      upstreamModel: 'echo',
      inputCoinsPerMillion: '1.5',
      outputCoinsPerMillion: '2.5',
    });
    secret = (await createApiKey(viewer, { clientId: client.id }, { name: 'profile' })).secret;
  } finally {
    await closeLumen(database);
  }
  const compiled = process.env.PROFILE_COMPILED === '1';
  const profiling = process.env.PROFILE !== '0';
  const args = [
    ...(profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(compiled ? ['dist/server.js'] : ['--import', 'tsx', 'src/server.ts']),
  ];
  const child = spawn(process.execPath, args, { cwd: API_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = LUMEN_LISTENING.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`the server exited: ${out.slice(-2000)}`)));
  });
  const client = keepAlive(`http://127.0.0.1:${port}`, concurrency);
  const send = () => client.post('/v1/chat/completions', { authorization: `Bearer ${secret}` }, body);
  await measure(send, concurrency, 1000);
  const { result, ...cpu } = await cpuDuring(child.pid!, true, () => measure(send, concurrency, seconds * 1000));
  const perRequest = (s: number) => `${((1000 * s) / result.requests).toFixed(3)} ms`;
  console.log(
    `CPU per request: Lumen ${perRequest(cpu.server)}, PostgreSQL ${perRequest(cpu.postgres!)}, load generator ${perRequest(cpu.loadGenerator)}`,
  );
  console.log(
    `${result.perSecond.toFixed(0)} requests/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.failures} failures ${result.firstFailure ?? ''}`,
  );
  client.close();
  // How well group commit worked: settlements per batch.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const counter = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const batches = counter('lumen_settlement_batches_total');
  console.log(`${counter('lumen_settlements_total')} settlements in ${batches} batches`);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const file = fs
    .readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(profileDir, f))
    .sort()
    .pop();
  if (file) {
    console.log(`profile: ${file}`);
    for (const line of topSelfTime(file)) console.log(line);
  }
  await scratch?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
