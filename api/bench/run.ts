// `npm run bench`: Lumen (compiled, as production runs it) on loopback, each figure
// against a baseline measured in the same run on the same database, written to
// bench/results.md with the goals of issue 11 and whether they are met.
//
// 1. The client page: the admin UI's two operations (see clientPage/documents.ts)
//    for a client with 5 managers, 200 keys and 20 models, through Lumen's GraphQL
//    and through a plain hand-written handler (clientPage/plain.ts); plus the SQL
//    statements each needs per page load, the CPU each side spends on one, and the
//    same answers served by GraphQL from memory (clientPage/memoryServer.ts).
// 2. /v1, non-streaming echo requests with one key of one LIMITED pool (large enough
//    never to run out): latency at one connection (sequential, kept alive) and
//    throughput at BENCH_CONCURRENCY connections, through Lumen and straight to the echo
//    provider served bare (echoServer.ts); Lumen's RSS idle and after BENCH_LOAD_SECONDS
//    of load; on PostgreSQL, the database's own limit for per-request metering (the same
//    debit-then-settle statements on the same rows, driven with `pg`: lib/pgLimit.ts).
//
// Every server runs in a process of its own, started for its measurement and stopped
// after it, so they never share a CPU with each other (the machine has few cores),
// and the embedded database (one process at a time) works as well as PostgreSQL. The
// one exception: the echo server stays up, idle, while Lumen is measured, so that the
// one-connection latencies of the two can be measured in turn (measureLumen).
//
// BENCH_CONCURRENCY (default 16) requests in flight for /v1; BENCH_PAGE_CONCURRENCY
// (default 8) page loads in flight, i.e. 16 requests; BENCH_SECONDS per measurement
// (default 8); BENCH_LOAD_SECONDS of /v1 load before the RSS is read again (default 60,
// the throughput measurement being its last BENCH_SECONDS). A fresh embedded database in
// a temporary folder, or, with BENCH_DATABASE_URL=postgresql://..., a fresh PostgreSQL
// database dropped after. `npm run bench` builds dist/ first (scripts/build.mjs).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { setApiKeyRateLimits, setClientRateLimits } from '../src/domain/rateLimits.ts';
import { createClient } from '../src/domain/clients.ts';
import { setClientCoinPool } from '../src/domain/coinPools.ts';
import { createModel } from '../src/domain/models.ts';
import { createUser } from '../src/domain/users.ts';
import { db } from '../src/db/current.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { pageLoad } from './clientPage/pageLoad.ts';
import { PAGE_SHAPE, seedClientPage, type SeededPage } from './clientPage/seed.ts';
import { countStatements, type StatementCounts } from './clientPage/statements.ts';
import {
  createScratchDatabase,
  requireLoopback,
  serverVersion,
  settleDatabase,
  walPosition,
  type ScratchDatabase,
} from './lib/database.ts';
import { cpuDuring } from './lib/cpu.ts';
import { keepAlive, measure, type Result } from './lib/load.ts';
import { machine, settledRssMB, watchPeakRssMB } from './lib/machine.ts';
import { durability, measurePgLimit, type HotRows } from './lib/pgLimit.ts';
import { v1StatementsPerRequest } from './lib/v1Statements.ts';
import { API_DIR, COMPILED_SERVER, spawnServer, stopServer, type SpawnedServer } from '../test/support/spawnServer.ts';
import { SETTLE_SECONDS, writeResults, type PageRun, type V1Results } from './results.ts';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const pageConcurrency = Number(process.env.BENCH_PAGE_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const loadSeconds = Math.max(seconds, Number(process.env.BENCH_LOAD_SECONDS ?? 60));
/** Quiet time after the warm-up before the idle RSS is read: timers, caches and the collector settle. */
const SETTLE_MS = SETTLE_SECONDS * 1000;
/** Coins in the benchmark's LIMITED pool: never runs out (an echo request costs about 0.0001). */
const POOL_COINS = '1000000000000';
const v1Body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog' }] });

/**
 * Rate limits of the second client and its key (issue 14): high enough never to refuse during
 * the run (about 2,000 requests of 30 tokens a second is 120,000 requests a minute), so that
 * every request is counted against them and nothing else changes.
 */
const LIMITS = {
  client: { requestsPerMinute: 1_000_000, tokensPerMinute: 2_000_000_000 },
  key: { requestsPerMinute: 900_000, tokensPerMinute: 1_000_000_000 },
};

interface Seeded {
  v1Key: string;
  /** A key of another client, the same in every way but with rate limits at both levels. */
  limitedKey: string;
  hot: HotRows;
  page: SeededPage;
  statements: StatementCounts;
  v1Statements: { plain: number; limited: number };
}

/** Set-up in this process, where the SQL statements can be counted; closed before any server starts. */
async function seed(env: Record<string, string>): Promise<Seeded> {
  const queries: string[] = [];
  const database = await openLumen(loadConfig(env), { purpose: 'bench set-up', onQuery: (sql) => queries.push(sql) });
  try {
    const user = await createUser(null, { email: 'bench@example.org', name: 'Bench', isAdmin: true });
    const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
    const client = await createClient(viewer, { name: 'Bench' });
    await setClientCoinPool(viewer, client.id, { state: 'LIMITED', capacity: POOL_COINS, balance: POOL_COINS });
    const model = await createModel(viewer, {
      name: 'echo',
      provider: 'echo',
      upstreamModel: 'echo',
      inputCoinsPerMillion: '1.5',
      outputCoinsPerMillion: '2.5',
    });
    const { apiKey, secret } = await createApiKey(viewer, { clientId: client.id }, { name: 'bench' });
    const pool = await db().coinPool.findFirstOrThrow({ where: { clientId: client.id } });
    const hot = { poolId: pool.id, clientId: client.id, apiKeyId: apiKey.id, modelId: model.id };
    const limitedClient = await createClient(viewer, { name: 'Bench, rate-limited' });
    await setClientCoinPool(viewer, limitedClient.id, { state: 'LIMITED', capacity: POOL_COINS, balance: POOL_COINS });
    const limited = await createApiKey(viewer, { clientId: limitedClient.id }, { name: 'bench, rate-limited' });
    await setClientRateLimits(viewer, limitedClient.id, LIMITS.client);
    await setApiKeyRateLimits(viewer, limited.apiKey.id, LIMITS.key);
    const v1Statements = {
      plain: await v1StatementsPerRequest(queries, secret, v1Body),
      limited: await v1StatementsPerRequest(queries, limited.secret, v1Body),
    };
    const page = await seedClientPage(viewer);
    const statements = await countStatements(queries, page.clientGlobalId, page.managerToken);
    return { v1Key: secret, limitedKey: limited.secret, hot, page, statements, v1Statements };
  } finally {
    await closeLumen(database);
  }
}

/** Runs `work` with a server up, then stops it. */
async function withServer<T>(starting: Promise<SpawnedServer>, work: (server: SpawnedServer) => Promise<T>): Promise<T> {
  const server = await starting;
  try {
    return await work(server);
  } finally {
    await stopServer(server.child);
  }
}

/** Page loads under load, and the CPU the server, PostgreSQL (when used) and this process spent per page load. */
async function measurePage(server: SpawnedServer, page: SeededPage, withPostgres: boolean): Promise<PageRun> {
  const load = pageLoad(`${server.url}/graphql`, page.managerToken, page.clientGlobalId);
  await measure(load, pageConcurrency, 1500); // warm-up: JIT, connection pool, caches
  const { result, ...cpu } = await cpuDuring(server.child.pid!, withPostgres, () => measure(load, pageConcurrency, seconds * 1000));
  const perPage = (cpuSeconds: number) => (cpuSeconds * 1000) / Math.max(1, result.requests);
  return {
    ...result,
    cpu: {
      server: perPage(cpu.server),
      postgres: cpu.postgres === null ? null : perPage(cpu.postgres),
      loadGenerator: perPage(cpu.loadGenerator),
    },
  };
}

interface V1Run {
  latency: Result;
  throughput: Result;
}

/** `work` with a function that sends one /v1 request over `connections` kept-alive connections. */
async function withConnections<T>(
  url: string,
  headers: Record<string, string>,
  work: (send: () => Promise<string | null>) => Promise<T>,
  connections = concurrency,
) {
  const agent = keepAlive(url, connections);
  try {
    return await work(() => agent.post('/v1/chat/completions', headers, v1Body));
  } finally {
    agent.close();
  }
}

/** `run`'s result, and the bytes of write-ahead log PostgreSQL wrote meanwhile (null on the embedded database). */
async function withWal(databaseUrl: string | null, run: () => Promise<Result>): Promise<{ result: Result; walBytes: number | null }> {
  if (!databaseUrl) return { result: await run(), walBytes: null };
  const before = await walPosition(databaseUrl);
  const result = await run();
  return { result, walBytes: Number((await walPosition(databaseUrl)) - before) };
}

/**
 * Sequential requests on one kept-alive connection: a warm-up, then `ms` measured, and with a
 * `databaseUrl` the WAL written during the measured part (the warm-up's requests are not counted).
 */
async function measureLatency(url: string, headers: Record<string, string>, ms: number, databaseUrl: string | null = null) {
  return withConnections(
    url,
    headers,
    async (send) => {
      await measure(send, 1, 500);
      return withWal(databaseUrl, () => measure(send, 1, ms));
    },
    1,
  );
}

/** `rounds` rounds measuring each of two in turn, the order swapped every round, so that the machine's drift weighs on both alike. */
async function inTurns<K extends string>(rounds: number, pair: readonly [K, K], measureOne: (which: K) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? pair : ([pair[1], pair[0]] as const)) await measureOne(which);
  }
}

/** Rounds of the one-connection latency, Lumen and the bare echo server in turn, and the seconds of each. */
const LATENCY_ROUNDS = 4;
const LATENCY_SECONDS = Math.max(2, Math.round(seconds / 2));

/** The echo provider served bare: the baseline of both /v1 measurements. Its throughput, alone on the machine. */
async function measureEchoThroughput(echoUrl: string): Promise<Result> {
  return withConnections(echoUrl, {}, async (send) => {
    await measure(send, concurrency, 1000);
    return measure(send, concurrency, seconds * 1000);
  });
}

/**
 * Lumen: warm-up, idle RSS, latency at one connection in turns with the bare echo server's
 * (inTurns; a server waiting for requests costs the other nothing), then load (its last part
 * measured), then RSS again, and once more after the admin API's first request (server.ts
 * loads it then).
 */
async function measureLumen(
  env: Record<string, string>,
  key: string,
  databaseUrl: string | null,
  echoUrl: string,
): Promise<V1Run & { directLatency: Result; rss: V1Results['rss']; wal: V1Results['wal'] }> {
  // As deployed: production, request logs at info (to a pipe this process reads and bounds).
  const production = { ...env, NODE_ENV: 'production', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' };
  return withServer(spawnServer({ compiled: true, env: production, keepOutput: 100_000 }), async (lumen) => {
    const pid = lumen.child.pid!;
    const headers = { authorization: `Bearer ${key}` };
    await withConnections(lumen.url, headers, async (send) => {
      await measure(send, 1, 1000);
      await measure(send, concurrency, 1000);
    });
    await sleep(SETTLE_MS);
    const idle = await settledRssMB(pid);
    const rounds = { direct: [] as Result[], through: [] as Result[] };
    let walBytes: number | null = null;
    await inTurns(LATENCY_ROUNDS, ['direct', 'through'], async (which) => {
      if (which === 'direct') {
        rounds.direct.push((await measureLatency(echoUrl, {}, LATENCY_SECONDS * 1000)).result);
        return;
      }
      const round = await measureLatency(lumen.url, headers, LATENCY_SECONDS * 1000, databaseUrl);
      rounds.through.push(round.result);
      if (round.walBytes !== null) walBytes = (walBytes ?? 0) + round.walBytes;
    });
    const latency = median(rounds.through);
    console.log(`  ${loadSeconds} s of load at ${concurrency} connections (throughput measured in the last ${seconds} s)...`);
    const peak = watchPeakRssMB(pid);
    const loaded = await withConnections(lumen.url, headers, async (send) => {
      if (loadSeconds > seconds) await measure(send, concurrency, (loadSeconds - seconds) * 1000);
      return withWal(databaseUrl, () => measure(send, concurrency, seconds * 1000));
    });
    const throughput = loaded.result;
    const afterLoad = await settledRssMB(pid);
    const response = await fetch(`${lumen.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    if (!response.ok) throw new Error(`the admin API answered ${response.status}`);
    await response.arrayBuffer();
    await sleep(SETTLE_MS);
    const withAdminApi = await settledRssMB(pid);
    return {
      latency,
      directLatency: median(rounds.direct),
      throughput,
      rss: { idle, afterLoad, withAdminApi, peak: peak.stop(), loadSeconds },
      wal: { oneConnection: perRequest(walBytes, rounds.through), loaded: perRequest(loaded.walBytes, [throughput]) },
    };
  });
}

/** Rounds of the comparison with and without rate limits, and the seconds of each measurement in them. */
const LIMIT_ROUNDS = 3;
const LIMIT_SECONDS = Math.max(2, Math.round(seconds / 2));

/** WAL bytes per request completed over these measurements (null on the embedded database, or with no request). */
function perRequest(walBytes: number | null, results: Result[]): number | null {
  const requests = results.reduce((n, r) => n + r.requests, 0);
  return walBytes === null || requests === 0 ? null : walBytes / requests;
}

/** The median of each figure over the rounds (the counts summed). */
function median(results: Result[]): Result {
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    requests: results.reduce((n, r) => n + r.requests, 0),
    failures: results.reduce((n, r) => n + r.failures, 0),
    perSecond: mid(results.map((r) => r.perSecond)),
    p50: mid(results.map((r) => r.p50)),
    p99: mid(results.map((r) => r.p99)),
    firstFailure: results.find((r) => r.firstFailure)?.firstFailure,
  };
}

/**
 * The same server, the same requests, through a key without rate limits and through a key
 * of another client with limits at both levels (never reached), measured in alternating
 * rounds (the order swapped each round) so that the machine's drift and the database's
 * state weigh on both alike: latency at one connection, then throughput at `concurrency`.
 */
async function measureLimits(
  env: Record<string, string>,
  plainKey: string,
  limitedKey: string,
): Promise<Pick<V1Results['limits'], 'plain' | 'limited'>> {
  const production = { ...env, NODE_ENV: 'production', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' };
  return withServer(spawnServer({ compiled: true, env: production, keepOutput: 100_000 }), async (lumen) => {
    const runs = {
      plain: { latency: [] as Result[], throughput: [] as Result[] },
      limited: { latency: [] as Result[], throughput: [] as Result[] },
    };
    const keys = { plain: plainKey, limited: limitedKey };
    for (const which of ['plain', 'limited'] as const) {
      await withConnections(lumen.url, { authorization: `Bearer ${keys[which]}` }, async (send) => {
        await measure(send, 1, 1000);
        await measure(send, concurrency, 1000);
      });
    }
    await inTurns(LIMIT_ROUNDS, ['plain', 'limited'], async (which) => {
      const headers = { authorization: `Bearer ${keys[which]}` };
      runs[which].latency.push((await measureLatency(lumen.url, headers, LIMIT_SECONDS * 1000)).result);
      runs[which].throughput.push(
        await withConnections(lumen.url, headers, async (send) => {
          await measure(send, concurrency, 500);
          return measure(send, concurrency, LIMIT_SECONDS * 1000);
        }),
      );
    });
    return {
      plain: { latency: median(runs.plain.latency), throughput: median(runs.plain.throughput) },
      limited: { latency: median(runs.limited.latency), throughput: median(runs.limited.throughput) },
    };
  });
}

async function main() {
  if (!fs.existsSync(path.join(API_DIR, COMPILED_SERVER))) {
    throw new Error(`${COMPILED_SERVER} is missing: build first (npm run build -w @lumen/api; npm run bench does)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-'));
  const adminUrl = process.env.BENCH_DATABASE_URL;
  let scratch: ScratchDatabase | null = null;
  try {
    let databaseLabel = 'embedded PGlite (in-process WASM PostgreSQL, data folder in a temporary directory)';
    if (adminUrl) {
      requireLoopback(adminUrl, 'BENCH_DATABASE_URL');
      scratch = await createScratchDatabase(adminUrl, 'lumen_bench');
      databaseLabel = `PostgreSQL ${await serverVersion(scratch.url)} on loopback (fresh database, dropped after; ${await durability(scratch.url)})`;
    }
    const env = {
      NODE_ENV: 'test',
      LUMEN_DATA_DIR: dataDir,
      LUMEN_SECRET: randomBytes(32).toString('base64url'),
      PORT: '0',
      DATABASE_URL: scratch?.url ?? '',
      REDIS_URL: '',
    };
    console.log(`Setting up (${databaseLabel})...`);
    const seeded = await seed(env);
    if (scratch) await settleDatabase(scratch.url);
    const { page } = seeded;

    console.log(
      `Client page: ${seconds} s each at ${pageConcurrency} page loads in flight: GraphQL, the plain handler, then GraphQL from memory...`,
    );
    // Both as deployed (production mode, production's Node settings), neither writing request logs.
    const pageEnv = { ...env, NODE_ENV: 'production', LUMEN_LOG_LEVEL: 'warn' };
    const onPostgres = scratch !== null;
    const graphql = await withServer(spawnServer({ compiled: true, env: pageEnv }), (s) => measurePage(s, page, onPostgres));
    const plain = await withServer(
      spawnServer({
        script: 'bench/plainServer.ts',
        productionRuntime: true,
        env: pageEnv,
        listening: /plain page server is listening on port (\d+)/,
      }),
      (s) => measurePage(s, page, onPostgres),
    );
    const answersFile = path.join(dataDir, 'page-answers.json');
    fs.writeFileSync(answersFile, JSON.stringify(seeded.statements.answers));
    const memory = await withServer(
      spawnServer({
        script: 'bench/clientPage/memoryServer.ts',
        productionRuntime: true,
        env: { ...pageEnv, PAGE_ANSWERS: answersFile },
        listening: /memory page server is listening on port (\d+)/,
      }),
      (s) => measurePage(s, page, false),
    );

    const [direct, through] = await withServer(
      spawnServer({ script: 'bench/echoServer.ts', listening: /echo is listening on port (\d+)/ }),
      async (echo) => {
        console.log(`/v1: the echo provider served bare, ${seconds} s at ${concurrency} connections...`);
        const echoThroughput = await measureEchoThroughput(echo.url);
        console.log(
          `/v1 through Lumen: ${LATENCY_ROUNDS} rounds of ${LATENCY_SECONDS} s at one connection, in turn with the echo server; then load at ${concurrency}...`,
        );
        const lumen = await measureLumen(env, seeded.v1Key, scratch?.url ?? null, echo.url);
        return [{ throughput: echoThroughput, latency: lumen.directLatency }, lumen] as const;
      },
    );
    console.log(`/v1 with and without rate limits, interleaved on one server: ${LIMIT_ROUNDS} rounds...`);
    const limits = await measureLimits(env, seeded.v1Key, seeded.limitedKey);
    let pgLimit: Result | null = null;
    if (scratch) {
      console.log(`PostgreSQL's limit for per-request metering: ${seconds} s at ${concurrency} connections...`);
      pgLimit = await measurePgLimit(scratch.url, seeded.hot, concurrency, seconds * 1000, 1000);
    }

    const file = writeResults({
      machine: machine(),
      date: new Date(),
      database: databaseLabel,
      postgres: scratch !== null,
      seconds,
      concurrency,
      pageConcurrency,
      shape: { ...PAGE_SHAPE, usageRecords: page.usageRecords },
      page: { graphql, plain, memory },
      statements: seeded.statements,
      v1: {
        direct: direct.throughput,
        through: through.throughput,
        latency: { direct: direct.latency, through: through.latency, rounds: LATENCY_ROUNDS, roundSeconds: LATENCY_SECONDS },
        pgLimit,
        rss: through.rss,
        wal: through.wal,
        limits: { ...limits, rounds: LIMIT_ROUNDS, roundSeconds: LIMIT_SECONDS, statements: seeded.v1Statements },
      },
    });
    console.log(`\nWritten to ${path.relative(process.cwd(), file) || file}`);
    const failed = [
      graphql,
      plain,
      memory,
      direct.throughput,
      direct.latency,
      through.throughput,
      through.latency,
      limits.plain.throughput,
      limits.plain.latency,
      limits.limited.throughput,
      limits.limited.latency,
      pgLimit,
    ].filter((r): r is Result => r !== null && r.failures > 0);
    for (const r of failed) console.error(`${r.failures} failures, the first: ${r.firstFailure}`);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
