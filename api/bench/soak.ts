// `npm run soak -w @lumen/api`: a few minutes of mixed traffic against a real
// Lumen server process on PostgreSQL (and Redis when SOAK_REDIS_URL is set), on
// loopback only: /v1 streaming and not, a deliberately exhaustible coin pool,
// client-page and client-list GraphQL queries, with clientUsage subscriptions
// (SSE and graphql-ws) open throughout. Then it checks that nothing failed, the
// server's memory did not grow beyond a bound, and every sum is exact; exits
// non-zero otherwise. Writes bench/soak-results.md.
//
//   SOAK_SECONDS        how long the traffic runs (default 180)
//   SOAK_MAX_REQUESTS   a cap on requests, whatever the time (default 300000)
//   SOAK_CONCURRENCY    requests in flight (default 8)
//   SOAK_RSS_GROWTH_MB  the memory bound after warm-up (default 50)
//   SOAK_DATABASE_URL   PostgreSQL admin URL (default BENCH_DATABASE_URL, else
//                       postgresql://postgres@127.0.0.1:5432/postgres); a fresh
//                       database is created in it and dropped afterwards
//   SOAK_REDIS_URL      optional, e.g. redis://127.0.0.1:6379
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { createScratchDatabase, requireLoopback, serverVersion } from './lib/database.ts';
import { machine } from './lib/machine.ts';
import { spawnServer } from '../test/support/spawnServer.ts';
import { checkSums, readTightStart } from './soak/checks.ts';
import { sampleRss } from './soak/memory.ts';
import { writeSoakReport } from './soak/report.ts';
import { setUpSoak } from './soak/setup.ts';
import { openSse, openWs, type Subscription } from './soak/subscriptions.ts';
import { runTraffic } from './soak/traffic.ts';

const seconds = Number(process.env.SOAK_SECONDS ?? 180);
const maxRequests = Number(process.env.SOAK_MAX_REQUESTS ?? 300_000);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8);
const boundMiB = Number(process.env.SOAK_RSS_GROWTH_MB ?? 50);
const adminUrl = process.env.SOAK_DATABASE_URL ?? process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.SOAK_REDIS_URL ?? '';
// Warm-up: the first quarter, at least 10 s (JIT, pools and caches settle first).
const warmUpSeconds = Math.max(10, Math.round(seconds / 4));

async function main(): Promise<boolean> {
  if (!(seconds > 0 && seconds <= 3600)) throw new Error('SOAK_SECONDS must be between 1 and 3600');
  requireLoopback(adminUrl, 'SOAK_DATABASE_URL');
  if (redisUrl) requireLoopback(redisUrl, 'SOAK_REDIS_URL');
  const scratch = await createScratchDatabase(adminUrl, 'lumen_soak');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-soak-'));
  const env = {
    NODE_ENV: 'production',
    LUMEN_DATA_DIR: dataDir,
    LUMEN_SECRET: randomBytes(32).toString('base64url'),
    PORT: '0',
    DATABASE_URL: scratch.url,
    REDIS_URL: redisUrl,
    LUMEN_PUBLIC_URL: 'http://127.0.0.1',
  };
  const aborter = new AbortController();
  const closers: (() => Promise<void>)[] = [];
  try {
    const database = await openLumen(loadConfig(env), { purpose: 'soak set-up' });
    const setup = await setUpSoak().finally(() => closeLumen(database));
    const tightStart = await readTightStart(scratch.url, setup.clients[2].id);

    // A long run: keep only the tail of what the server prints.
    const server = await spawnServer({ env, keepOutput: 32_000 });
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const exited = new Promise<string>((resolve) =>
      server.child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)),
    );
    try {
      const subscriptions: Subscription[] = [];
      for (const [label, count] of [
        ['steady', 2],
        ['other', 1],
        ['tight', 1],
      ] as const) {
        const client = setup.clients.find((c) => c.label === label)!;
        for (let i = 0; i < count; i++)
          subscriptions.push(await openSse(baseUrl, setup.managerToken, label, client.globalId, aborter.signal));
      }
      const ws = await openWs(baseUrl, setup.adminToken, 'steady', setup.clients[0].globalId);
      subscriptions.push(ws.sub);
      closers.push(ws.close);
      // With Redis, a subscription's channel is joined asynchronously: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 1000));

      console.log(
        `Soak: ${seconds} s, ${concurrency} in flight, ${subscriptions.length} subscriptions, against ${baseUrl} (PostgreSQL${redisUrl ? ' + Redis' : ''})...`,
      );
      const memory = sampleRss(server.child.pid!, 2000);
      const progress = setInterval(() => process.stdout.write('.'), 10_000);
      const traffic = await runTraffic(baseUrl, setup, { concurrency, deadline: Date.now() + seconds * 1000, maxRequests, seed: 42 });
      clearInterval(progress);
      const memoryVerdict = memory.stop(warmUpSeconds, boundMiB);
      console.log(`\n${traffic.requests} requests sent; waiting for the subscriptions to catch up...`);

      // Every metered request's event must arrive; allow the server a few seconds to deliver them.
      for (let i = 0; i < 40 && subscriptions.some((s) => s.metered < traffic.tallies[s.clientLabel as 'steady'].metered); i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const checks = await checkSums(scratch.url, baseUrl, setup, traffic, subscriptions, tightStart);
      aborter.abort();
      for (const close of closers.splice(0)) await close();
      server.child.kill('SIGTERM');
      const serverExit = await exited;
      const { ok, file } = writeSoakReport({
        machine: machine(),
        date: new Date(),
        database: `PostgreSQL ${await serverVersion(scratch.url)} on loopback (fresh database, dropped after)`,
        redis: redisUrl ? `Redis at ${new URL(redisUrl).host} (loopback)` : 'in-process (no Redis)',
        seconds,
        concurrency,
        maxRequests,
        subscriptions: `${subscriptions.filter((s) => s.transport === 'sse').length} over SSE, ${subscriptions.filter((s) => s.transport === 'graphql-ws').length} over graphql-ws, on the 3 clients`,
        traffic,
        memory: memoryVerdict,
        checks,
        serverExit,
      });
      console.log(`Written to ${path.relative(process.cwd(), file)}`);
      return ok;
    } finally {
      aborter.abort();
      for (const close of closers) await close().catch(() => undefined);
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGTERM');
        await exited;
      }
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await scratch.drop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
