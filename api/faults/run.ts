// `npm run faults -w @lumen/api`: Lumen under steady /v1 load while its
// dependencies fail. It starts its own PostgreSQL cluster (initdb + pg_ctl in a
// temporary folder, as the `postgres` user when run as root) and its own Redis, on
// spare loopback ports, so nothing shared is touched; two Lumen instances on them;
// then, with quiet periods between, it
//   (a) SIGKILLs Redis and restarts it a few seconds later,
//   (b) restarts PostgreSQL (`pg_ctl restart -m fast`),
//   (c) SIGKILLs instance B (A serves alone), then starts B again.
// It checks availability in and out of each fault's window, what /readyz says,
// that every answered request is recorded, and the balance identity to the last
// decimal; writes
// faults/results.md; exits non-zero when a check fails. Everything it started is
// stopped and removed at the end, also on failure or timeout.
//
//   FAULTS_TIMEOUT_S          the whole run, set-up included (default 360)
//   FAULTS_CONCURRENCY        load loops, one sk_ key each (default 8)
//   FAULTS_QUIET_S            quiet load before, between and after faults (default 8)
//   FAULTS_GRACE_S            recovery grace at the end of each window (default 5)
//   FAULTS_REDIS_DOWN_S       how long Redis stays down (default 6)
//   FAULTS_REVOCATION_BOUND_S a revoked key must be refused everywhere within this (default 5)
//   FAULTS_ONLY               a comma-separated subset of redis,postgres,kill (while debugging)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { createScratchDatabase } from '../bench/lib/database.ts';
import { machine } from '../bench/lib/machine.ts';
import { judge } from './lib/checks.ts';
import { FAULTS, sleep, type FaultName, type FaultRun } from './lib/faults.ts';
import { Fleet, tail } from './lib/fleet.ts';
import { readBooks } from './lib/ledger.ts';
import { pollReadiness } from './lib/readiness.ts';
import { startLoad } from './lib/load.ts';
import { createCluster, type Cluster } from './lib/postgres.ts';
import { warmKey } from './lib/probes.ts';
import { createRedis, type RedisServer } from './lib/redis.ts';
import { writeFaultReport } from './lib/report.ts';
import { sparePort } from './lib/ports.ts';
import { seed } from './lib/seed.ts';

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) throw new Error(`${name} must be a positive number (got "${process.env[name]}")`);
  return value;
};
const timeoutSeconds = number('FAULTS_TIMEOUT_S', 360);
const loops = number('FAULTS_CONCURRENCY', 8);
const quietMs = number('FAULTS_QUIET_S', 8) * 1000;
const graceMs = number('FAULTS_GRACE_S', 5) * 1000;
const redisDownMs = number('FAULTS_REDIS_DOWN_S', 6) * 1000;
const revocationBoundSeconds = number('FAULTS_REVOCATION_BOUND_S', 5);
const selected = (process.env.FAULTS_ONLY ?? 'redis,postgres,kill').split(',').map((f) => f.trim()) as FaultName[];
for (const f of selected)
  if (!(f in FAULTS)) throw new Error(`FAULTS_ONLY: unknown fault "${f}" (known: ${Object.keys(FAULTS).join(', ')})`);

const ADMIN_EMAIL = 'faults-admin@example.org';

let fleet: Fleet | null = null;
let redis: RedisServer | null = null;
let cluster: Cluster | null = null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-faults-'));

/** Stops and removes everything this run started; safe to call more than once. */
async function cleanUp(): Promise<void> {
  fleet?.killAll();
  await Promise.race([redis?.destroy(), sleep(5000)]).catch(() => undefined);
  try {
    cluster?.destroy();
  } catch (error) {
    console.error("Could not stop the fault suite's PostgreSQL:", error);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function main(): Promise<boolean> {
  const started = Date.now();
  const timeline: [number, string][] = [];
  const mark = (text: string) => {
    timeline.push([Date.now(), text]);
    console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
  };
  cluster = createCluster(await sparePort());
  mark(`PostgreSQL ${cluster.version} started on port ${cluster.port}`);
  redis = await createRedis(await sparePort());
  const redisVersion = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  mark(`Redis ${redisVersion} started at ${redis.url}`);
  const database = await createScratchDatabase(cluster.url, 'lumen_faults');
  const secret = randomBytes(32).toString('base64url');
  const env = (name: string): Record<string, string> => ({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL: redis!.url,
    LUMEN_SECRET: secret,
    LUMEN_DATA_DIR: path.join(dataDir, name),
    LUMEN_PUBLIC_URL: 'http://127.0.0.1',
    LUMEN_ADMIN_EMAIL: ADMIN_EMAIL,
    LUMEN_LOG_LEVEL: 'warn',
    LUMEN_SHUTDOWN_TIMEOUT_MS: '10000',
  });
  fleet = new Fleet(env, (i) => mark(`${i.id} DIED UNASKED (${i.exit}); last output:\n${tail(i)}`));
  const a = await fleet.start('A');
  mark(`${a.id} listening at ${a.url} (it applied the migrations)`);
  const seeded = await seed(a.url, env('A'), ADMIN_EMAIL, loops);
  mark(`seeded through the CLI (admin-API token) and GraphQL: a LIMITED pool, ${seeded.loopKeys.length + 1} keys`);
  const b = await fleet.start('B');
  mark(`${b.id} listening at ${b.url}`);

  const probeLog: Parameters<typeof warmKey>[2] = [];
  await warmKey(fleet, seeded.probeKey, probeLog);
  const readiness = pollReadiness(fleet);
  const load = startLoad(fleet, seeded.loopKeys);
  const log = load.log;
  const loadStart = Date.now();
  mark(
    `load started: ${loops} loops over ${fleet
      .live()
      .map((i) => i.id)
      .join(' and ')}`,
  );
  const runs: FaultRun[] = [];
  try {
    await sleep(quietMs);
    for (const name of selected) {
      mark(`fault: ${name}`);
      const run = await FAULTS[name]({
        fleet,
        redis,
        cluster,
        adminToken: seeded.adminToken,
        clientId: seeded.clientId,
        probeKey: seeded.probeKey,
        log,
        graceMs,
        redisDownMs,
        revocationBoundSeconds,
      });
      runs.push(run);
      mark(`fault ${name} over (${run.faultSeconds.toFixed(1)} s); window closed`);
      // A supervisor would restart what crashed; so do we, so that the next fault is still tried.
      for (const crashed of fleet.crashedNames()) {
        const again = await fleet.start(crashed);
        mark(`${again.id} started again after the crash`);
      }
      await sleep(quietMs);
    }
  } finally {
    readiness.stop();
    await load.stop();
  }
  mark(`load stopped: ${log.length} requests`);
  log.push(...probeLog);
  const stopping = fleet.live();
  await fleet.stopAll();
  const stopped = stopping.map((i) => ({ id: i.id, exit: i.exit }));
  mark(`stopped ${stopped.map((s) => `${s.id} (${s.exit})`).join(', ')}`);
  const books = await readBooks(database.url, decodeGlobalID(seeded.clientId).id);
  const verdict = judge(log, loadStart, runs, fleet, books, stopped, revocationBoundSeconds, readiness.samples);
  const file = writeFaultReport({
    machine: machine(),
    date: new Date(),
    postgres: `PostgreSQL ${cluster.version}, its own cluster (initdb, trust auth, fsync on) on 127.0.0.1:${cluster.port}`,
    redis: `Redis ${redisVersion}, its own server on ${new URL(redis.url).host}, no persistence (it restarts empty)`,
    load: `${loops} closed loops with the \`openai\` client (no retries, 10 s timeout), one sk_ key each, round-robin over the live instances; echo models (a quarter streamed); one client with a LIMITED pool (no refill); Lumen in production mode`,
    seconds: (Date.now() - loadStart) / 1000,
    loadStart,
    timeline: timeline.map(
      ([t, text]) => `${t < loadStart ? 'set-up' : `${((t - loadStart) / 1000).toFixed(1)} s`}: ${text.split('\n')[0]}`,
    ),
    verdict,
  });
  console.log(`Written to ${path.relative(process.cwd(), file)} (whole run ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return verdict.ok;
}

const deadline = setTimeout(() => {
  console.error(`Fault suite: not finished after ${timeoutSeconds} s (FAULTS_TIMEOUT_S); stopping everything.`);
  void cleanUp().finally(() => process.exit(1));
}, timeoutSeconds * 1000);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`Fault suite: ${signal}; stopping everything.`);
    void cleanUp().finally(() => process.exit(1));
  });
}

main()
  .then(
    (ok) => ok,
    (error) => {
      console.error('Fault suite could not run:', error);
      return false;
    },
  )
  .then(async (ok) => {
    await cleanUp();
    clearTimeout(deadline);
    process.exit(ok ? 0 : 1);
  });
