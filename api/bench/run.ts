// `npm run bench`: two benchmarks on loopback, each against a baseline measured in
// the same run on the same database, written to bench/results.md.
//
// 1. The client page: the admin UI's two operations (see clientPage/documents.ts)
//    for a client with 5 managers, 200 keys and 20 models, through Lumen's GraphQL
//    and through a plain hand-written handler (clientPage/plain.ts); plus the SQL
//    statements each needs per page load.
// 2. /v1: non-streaming echo requests through Lumen and straight to the echo provider.
//
// Every server runs in a process of its own, started for its measurement and stopped
// after it, so they never share a CPU with each other (the machine has few cores),
// and the embedded database (one process at a time) works as well as PostgreSQL.
//
// BENCH_CONCURRENCY (default 16) requests in flight for /v1; BENCH_PAGE_CONCURRENCY
// (default 8) page loads in flight, i.e. 16 requests; BENCH_SECONDS per measurement
// (default 8). A fresh embedded database in a temporary folder, or, with
// BENCH_DATABASE_URL=postgresql://..., a fresh PostgreSQL database dropped after.
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
import { pageLoad } from './clientPage/pageLoad.ts';
import { PAGE_SHAPE, seedClientPage, type SeededPage } from './clientPage/seed.ts';
import { countStatements, type StatementCounts } from './clientPage/statements.ts';
import { createScratchDatabase, requireLoopback, serverVersion, type ScratchDatabase } from './lib/database.ts';
import { measure, post, type Result } from './lib/load.ts';
import { machine } from './lib/machine.ts';
import { spawnServer, stopServer, type SpawnedServer } from '../test/support/spawnServer.ts';
import { writeResults } from './results.ts';

const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const pageConcurrency = Number(process.env.BENCH_PAGE_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const v1Body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog' }] });

interface Seeded {
  v1Key: string;
  page: SeededPage;
  statements: StatementCounts;
}

/** Set-up in this process, where the SQL statements can be counted; closed before any server starts. */
async function seed(env: Record<string, string>): Promise<Seeded> {
  const queries: string[] = [];
  const database = await openLumen(loadConfig(env), { purpose: 'bench set-up', onQuery: (sql) => queries.push(sql) });
  try {
    const user = await createUser(null, { email: 'bench@example.org', name: 'Bench', isAdmin: true });
    const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
    const client = await createClient(viewer, { name: 'Bench' });
    await setClientCoinPool(viewer, client.id, { state: 'UNLIMITED' });
    await createModel(viewer, {
      name: 'echo',
      provider: 'echo',
      upstreamModel: 'echo',
      inputCoinsPerMillion: '1.5',
      outputCoinsPerMillion: '2.5',
    });
    const v1Key = (await createApiKey(viewer, { clientId: client.id }, { name: 'bench' })).secret;
    const page = await seedClientPage(viewer);
    const statements = await countStatements(queries, page.clientGlobalId, page.managerToken);
    return { v1Key, page, statements };
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

async function measurePage(url: string, page: SeededPage): Promise<Result> {
  const load = pageLoad(url, page.managerToken, page.clientGlobalId);
  await measure(load, pageConcurrency, 1500); // warm-up: JIT, connection pool, caches
  return measure(load, pageConcurrency, seconds * 1000);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-bench-'));
  const adminUrl = process.env.BENCH_DATABASE_URL;
  let scratch: ScratchDatabase | null = null;
  try {
    let databaseLabel = 'embedded PGlite (in-process WASM PostgreSQL, data folder in a temporary directory)';
    if (adminUrl) {
      requireLoopback(adminUrl, 'BENCH_DATABASE_URL');
      scratch = await createScratchDatabase(adminUrl, 'lumen_bench');
      databaseLabel = `PostgreSQL ${await serverVersion(scratch.url)} on loopback (fresh database, dropped after)`;
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
    const { page } = seeded;

    console.log(`Client page: ${seconds} s each at ${pageConcurrency} page loads in flight, GraphQL then plain...`);
    const graphql = await withServer(spawnServer({ env }), (s) => measurePage(`http://127.0.0.1:${s.port}/graphql`, page));
    const plain = await withServer(
      spawnServer({ script: 'bench/plainServer.ts', env, listening: /plain page server is listening on port (\d+)/ }),
      (s) => measurePage(`http://127.0.0.1:${s.port}/graphql`, page),
    );

    console.log(`/v1: ${seconds} s each at concurrency ${concurrency}, echo directly then through Lumen...`);
    const [direct, through] = await withServer(
      spawnServer({ script: 'bench/echoServer.ts', listening: /echo is listening on port (\d+)/ }),
      (echo) =>
        withServer(spawnServer({ env }), async (lumen) => {
          const echoSend = () => post(`http://127.0.0.1:${echo.port}/v1/chat/completions`, {}, v1Body);
          const lumenSend = () =>
            post(`http://127.0.0.1:${lumen.port}/v1/chat/completions`, { authorization: `Bearer ${seeded.v1Key}` }, v1Body);
          await measure(echoSend, concurrency, 1000);
          await measure(lumenSend, concurrency, 1000);
          return [await measure(echoSend, concurrency, seconds * 1000), await measure(lumenSend, concurrency, seconds * 1000)];
        }),
    );

    const file = writeResults({
      machine: machine(),
      date: new Date(),
      database: databaseLabel,
      seconds,
      concurrency,
      pageConcurrency,
      shape: { ...PAGE_SHAPE, usageRecords: page.usageRecords },
      page: { graphql, plain },
      statements: seeded.statements,
      v1: { direct, through },
    });
    console.log(`\nWritten to ${path.relative(process.cwd(), file) || file}`);
    const failed = [graphql, plain, direct, through].filter((r) => r.failures > 0);
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
