// Writes bench/results.md (PostgreSQL) or bench/results-embedded.md (the embedded database),
// overwritten by each run on that database, and prints the same tables.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatementCounts } from './clientPage/statements.ts';
import type { Result } from './lib/load.ts';
import type { Machine } from './lib/machine.ts';
import { compare, consoleTable, fmt, markdownTable, type Row } from './lib/report.ts';
import { PRODUCTION_ENV, PRODUCTION_NODE_ARGS } from '../test/support/spawnServer.ts';

/** How Lumen was started, named in the results: as production starts it (spawnServer's compiled mode). */
const PRODUCTION_COMMAND = [
  ...Object.entries(PRODUCTION_ENV).map(([name, value]) => `${name}=${value}`),
  'node',
  ...PRODUCTION_NODE_ARGS,
  'dist/server.js',
].join(' ');

export interface BenchResults {
  machine: Machine;
  date: Date;
  database: string;
  seconds: number;
  concurrency: number;
  pageConcurrency: number;
  /** PostgreSQL (the goals apply) rather than the embedded database (reported only). */
  postgres: boolean;
  shape: { managers: number; keys: number; revokedKeys: number; models: number; usageRecords: number };
  /** Through Lumen's GraphQL, through the plain handler, and GraphQL from memory (clientPage/memoryServer.ts). */
  page: { graphql: PageRun; plain: PageRun; memory: PageRun };
  statements: StatementCounts;
  v1: V1Results;
}

/** A client page measurement and the CPU (ms) each side spent per page load; postgres is null when not measured. */
export interface PageRun extends Result {
  cpu: { server: number; postgres: number | null; loadGenerator: number };
}

/** The page's goal: GraphQL at least this fraction of the plain handler's page loads per second. */
export const PAGE_GOAL = 0.8;

/**
 * The most server CPU per page load at which one Node process can still answer PAGE_GOAL times
 * the plain handler's page loads per second: a process cannot use more than one core.
 */
export const pageCpuBudget = (plain: Result) => 1000 / (PAGE_GOAL * plain.perSecond);

export interface V1Results {
  /** Throughput at `concurrency` connections: the echo provider served bare, and Lumen. */
  direct: Result;
  through: Result;
  /** One connection, sequential kept-alive requests: medians of `rounds` rounds, Lumen and the echo server in turn. */
  latency: { direct: Result; through: Result; rounds: number; roundSeconds: number };
  /** PostgreSQL's own limit for per-request metering (lib/pgLimit.ts); null on the embedded database. */
  pgLimit: Result | null;
  /** Lumen's RSS in MB: settled after the warm-up, after `loadSeconds` of load, and the highest during it. */
  rss: { idle: number | null; afterLoad: number | null; withAdminApi: number | null; peak: number | null; loadSeconds: number };
  /** Bytes of write-ahead log PostgreSQL wrote per /v1 request through Lumen, at one connection and under load; null on the embedded database. */
  wal: { oneConnection: number | null; loaded: number | null };
  /**
   * Issue 14: a key without rate limits and a key of a client that both have limits (never
   * reached), interleaved on one server (medians of the rounds), and the SQL statements per
   * request with and without them (lib/v1Statements.ts).
   */
  limits: {
    plain: { latency: Result; throughput: Result };
    limited: { latency: Result; throughput: Result };
    rounds: number;
    roundSeconds: number;
    statements: { plain: number; limited: number };
  };
}

interface Goal {
  what: string;
  target: string;
  measured: string;
  /** null: no goal here (the embedded database) or nothing measured. */
  met: boolean | null;
}

/** Issue 11's goals (on PostgreSQL; the embedded database is reported against none). */
function goals(r: BenchResults): Goal[] {
  const { v1 } = r;
  const onPostgres = (met: boolean) => (r.postgres ? met : null);
  const ratio = v1.pgLimit ? v1.through.perSecond / v1.pgLimit.perSecond : NaN;
  const addedP50 = v1.latency.through.p50 - v1.latency.direct.p50;
  const addedP99 = v1.latency.through.p99 - v1.latency.direct.p99;
  const mb = (n: number | null) => (n === null ? 'n/a' : `${fmt(n, 0)} MB`);
  return [
    {
      what: `/v1 throughput, one LIMITED pool and one key, ${r.concurrency} connections, against PostgreSQL's limit for per-request metering`,
      target: 'at least 5×',
      measured: v1.pgLimit
        ? `${fmt(ratio)}× (${fmt(v1.through.perSecond, 0)} against ${fmt(v1.pgLimit.perSecond, 0)} requests/s)`
        : `${fmt(v1.through.perSecond, 0)} requests/s (the limit is measured on PostgreSQL only)`,
      met: v1.pgLimit ? ratio >= 5 : null,
    },
    {
      what: 'added latency at one connection, p50',
      target: 'at most 1 ms',
      measured: `${fmt(addedP50)} ms`,
      met: onPostgres(addedP50 <= 1),
    },
    {
      what: 'added latency at one connection, p99',
      target: 'at most 5 ms',
      measured: `${fmt(addedP99)} ms`,
      met: onPostgres(addedP99 <= 5),
    },
    {
      what: `client page, page loads/s through GraphQL against the plain handler, ${r.pageConcurrency} page loads in flight`,
      target: `at least ${PAGE_GOAL}×`,
      measured: `${fmt(r.page.graphql.perSecond / r.page.plain.perSecond)}× (${fmt(r.page.graphql.perSecond, 0)} against ${fmt(r.page.plain.perSecond, 0)})`,
      met: onPostgres(r.page.graphql.perSecond / r.page.plain.perSecond >= PAGE_GOAL),
    },
    {
      what: 'server RSS, idle',
      target: 'under 150 MB',
      measured: mb(v1.rss.idle),
      met: v1.rss.idle === null ? null : onPostgres(v1.rss.idle < 150),
    },
  ];
}

/** Issue 14's: rate limits cost /v1 no SQL statement, and its figures stay within 10%. */
function limitGoals(r: BenchResults): Goal[] {
  const { plain, limited, statements } = r.v1.limits;
  const throughput = limited.throughput.perSecond / plain.throughput.perSecond;
  const p50 = limited.latency.p50 / plain.latency.p50;
  const p99 = limited.latency.p99 / plain.latency.p99;
  return [
    {
      what: 'SQL statements per /v1 request with rate limits set, against none set',
      target: 'no more',
      measured: `${fmt(statements.limited)} against ${fmt(statements.plain)}`,
      met: statements.limited <= statements.plain,
    },
    {
      what: `/v1 throughput at ${r.concurrency} connections with rate limits set, against none set`,
      target: 'within 10%',
      measured: `${fmt(throughput)}× (${fmt(limited.throughput.perSecond, 0)} against ${fmt(plain.throughput.perSecond, 0)} requests/s)`,
      met: throughput >= 0.9,
    },
    {
      what: 'latency at one connection with rate limits set, against none set, p50',
      target: 'within 10%',
      measured: `${fmt(p50)}× (${fmt(limited.latency.p50)} against ${fmt(plain.latency.p50)} ms)`,
      met: p50 <= 1.1,
    },
    {
      what: 'the same, p99',
      target: 'within 10%',
      measured: `${fmt(p99)}× (${fmt(limited.latency.p99)} against ${fmt(plain.latency.p99)} ms)`,
      met: p99 <= 1.1,
    },
  ];
}

const metText = (g: Goal, postgres: boolean) =>
  g.met === null ? (postgres ? 'not measured' : 'no goal (embedded)') : g.met ? 'yes' : 'no';

/** How long Lumen rests after its warm-up before the idle RSS is read (run.ts). */
export const SETTLE_SECONDS = 5;

const HOW = `Each server runs in its own process and listens on loopback; the load generator
(this process) keeps a fixed number of units of work in flight (closed loop) for the stated
time after a short warm-up. The servers are started one at a time, so none shares the
CPU with another (but for the echo server, which waits idle while Lumen is measured, for the
latency rounds below), and the embedded database (one process at a time) works too. Real
servers rather than in-process \`yoga.fetch\`: the figures then include HTTP parsing and
serialisation, as a browser or an SDK sees them, and the load generator does not share
an event loop with the code it measures.`;

export function writeResults(r: BenchResults): string {
  const { graphql, plain, memory } = r.page;
  const s = r.statements;
  const pageRows: Row[] = compare(graphql, plain, 'page loads');
  pageRows.splice(1, 0, {
    name: 'HTTP requests/s',
    baseline: fmt(plain.perSecond * 2, 0),
    measured: fmt(graphql.perSecond * 2, 0),
    ratio: fmt(graphql.perSecond / plain.perSecond),
  });
  const cpuRow = (name: string, of: (run: PageRun) => number | null, measured = graphql): Row => {
    const [b, m] = [of(plain), of(measured)];
    return { name, baseline: b === null ? 'n/a' : fmt(b), measured: m === null ? 'n/a' : fmt(m), ratio: b && m ? fmt(m / b) : '' };
  };
  const cpuRows: Row[] = [
    cpuRow('server CPU per page load (ms)', (run) => run.cpu.server),
    ...(r.postgres ? [cpuRow('PostgreSQL CPU per page load (ms)', (run) => run.cpu.postgres)] : []),
    cpuRow('load generator CPU per page load (ms)', (run) => run.cpu.loadGenerator),
  ];
  const budget = pageCpuBudget(plain);
  const memoryRows: Row[] = [
    compare(memory, plain, 'page loads')[0],
    cpuRow('server CPU per page load (ms)', (run) => run.cpu.server, memory),
  ];
  const memoryHeaders: [string, string, string, string] = ['', 'plain handler (baseline)', 'GraphQL from memory', 'memory / plain'];
  const statementRows: Row[] = [
    {
      name: 'SQL statements, page query',
      baseline: String(s.plain.page),
      measured: String(s.graphql.page),
      ratio: fmt(s.graphql.page / s.plain.page),
    },
    {
      name: 'SQL statements, keys query',
      baseline: String(s.plain.keys),
      measured: String(s.graphql.keys),
      ratio: fmt(s.graphql.keys / s.plain.keys),
    },
    {
      name: 'SQL statements per page load',
      baseline: String(s.plain.page + s.plain.keys),
      measured: String(s.graphql.page + s.graphql.keys),
      ratio: fmt((s.graphql.page + s.graphql.keys) / (s.plain.page + s.plain.keys)),
    },
  ];
  const v1Rows = compare(r.v1.through, r.v1.direct, 'requests');
  const pgLimit = r.v1.pgLimit;
  const limitRows: Row[] = pgLimit
    ? [
        {
          name: 'requests/s',
          baseline: fmt(pgLimit.perSecond, 0),
          measured: fmt(r.v1.through.perSecond, 0),
          ratio: fmt(r.v1.through.perSecond / pgLimit.perSecond),
        },
        {
          name: 'requests completed (failed)',
          baseline: `${pgLimit.requests} (${pgLimit.failures})`,
          measured: `${r.v1.through.requests} (${r.v1.through.failures})`,
          ratio: '',
        },
      ]
    : [];
  const { latency, rss } = r.v1;
  const latencyRows: Row[] = [
    ...compare(latency.through, latency.direct, 'requests').slice(0, 3),
    {
      name: 'added by Lumen, p50 / p99 (ms)',
      baseline: '',
      measured: `${fmt(latency.through.p50 - latency.direct.p50)} / ${fmt(latency.through.p99 - latency.direct.p99)}`,
      ratio: '',
    },
  ];
  const mb = (n: number | null) => (n === null ? 'n/a' : fmt(n, 0));
  const rssRows: Row[] = [
    { name: 'idle, after start and warm-up', baseline: '', measured: mb(rss.idle), ratio: '' },
    { name: `after ${rss.loadSeconds} s of load`, baseline: '', measured: mb(rss.afterLoad), ratio: '' },
    { name: 'highest during the load', baseline: '', measured: mb(rss.peak), ratio: '' },
    { name: "after the admin API's first request (loaded then)", baseline: '', measured: mb(rss.withAdminApi), ratio: '' },
  ];
  const goalList = goals(r);
  const limitGoalList = limitGoals(r);
  const limitedRows: Row[] = [
    ...compare(r.v1.limits.limited.throughput, r.v1.limits.plain.throughput, 'requests')
      .slice(0, 3)
      .map((row) => ({ ...row, name: `${row.name}, ${r.concurrency} connections` })),
    ...compare(r.v1.limits.limited.latency, r.v1.limits.plain.latency, 'requests')
      .slice(0, 3)
      .map((row) => ({ ...row, name: `${row.name}, one connection` })),
    {
      name: 'SQL statements per request (sequential)',
      baseline: fmt(r.v1.limits.statements.plain),
      measured: fmt(r.v1.limits.statements.limited),
      ratio: fmt(r.v1.limits.statements.limited / r.v1.limits.statements.plain),
    },
  ];
  const limitedHeaders: [string, string, string, string] = ['', 'no limits (baseline)', 'rate limits set', 'limits / none'];
  const pageHeaders: [string, string, string, string] = ['', 'plain handler (baseline)', 'GraphQL', 'GraphQL / plain'];
  const v1Headers: [string, string, string, string] = ['', 'echo directly (baseline)', 'through Lumen', 'Lumen / direct'];
  const limitHeaders: [string, string, string, string] = ['', 'PostgreSQL, per-request (baseline)', 'through Lumen', 'Lumen / PostgreSQL'];

  console.log(
    `\nClient page (${r.shape.managers} managers, ${r.shape.keys} keys, ${r.shape.models} models), ${r.pageConcurrency} page loads in flight:`,
  );
  console.log(consoleTable(pageHeaders, [...pageRows, ...cpuRows, ...statementRows]));
  console.log('\nThe same answers served by GraphQL from memory (no database, no Lumen schema):');
  console.log(consoleTable(memoryHeaders, memoryRows));
  console.log(
    `One process reaches ${PAGE_GOAL}× the plain handler's page loads only at ${fmt(budget)} ms of server CPU per page load or less; Lumen's GraphQL spends ${fmt(graphql.cpu.server)}.`,
  );
  console.log(`\n/v1 non-streaming echo, ${r.concurrency} requests in flight:`);
  console.log(consoleTable(v1Headers, v1Rows));
  if (pgLimit) {
    console.log(`\n/v1 against PostgreSQL's limit for per-request metering, ${r.concurrency} connections:`);
    console.log(consoleTable(limitHeaders, limitRows));
  }
  console.log('\n/v1 at one connection, sequential kept-alive requests:');
  console.log(consoleTable(v1Headers, latencyRows));
  console.log('\n/v1 with rate limits set on the client and the key:');
  console.log(consoleTable(limitedHeaders, limitedRows));
  console.log("\nLumen's RSS (MB):");
  for (const row of rssRows) console.log(`  ${row.name.padEnd(30)}${row.measured.padStart(8)}`);
  console.log(`\nGoals (${r.postgres ? 'PostgreSQL' : 'embedded database: reported, no goal'}):`);
  for (const g of goalList) console.log(`  ${metText(g, r.postgres).padEnd(18)} ${g.what}: ${g.measured} (goal: ${g.target})`);
  for (const g of limitGoalList) console.log(`  ${metText(g, true).padEnd(18)} ${g.what}: ${g.measured} (goal: ${g.target})`);
  console.log(
    `\nLumen adds ${fmt(latency.through.p50 - latency.direct.p50)} ms per /v1 request at p50 at one connection; GraphQL takes ${fmt(graphql.p50 - plain.p50)} ms more than the plain handler per page load at p50.`,
  );

  const m = r.machine;
  const md = `# Benchmark results

Written by \`npm run bench\` (see [README.md](README.md)) ${r.postgres ? 'with `BENCH_DATABASE_URL`' : 'without `BENCH_DATABASE_URL`'}; overwritten on every such run.
${r.postgres ? 'The same on the embedded database: [results-embedded.md](results-embedded.md).' : 'On PostgreSQL, with the goals: [results.md](results.md).'}

| | |
|---|---|
| date | ${r.date.toISOString()} |
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memoryGiB} GiB |
| Node.js | ${m.node} |
| OS | ${m.os} |
| database | ${r.database} |
| duration | ${r.seconds} s per measurement, after a warm-up; ${r.v1.rss.loadSeconds} s of /v1 load for the memory figures |
| Lumen | compiled JavaScript (\`npm run build\`), started as production starts it: \`${PRODUCTION_COMMAND}\`, no Redis; for /v1 NODE_ENV=production (a log line per request, as deployed), for the client page NODE_ENV=production with LUMEN_LOG_LEVEL=warn (no request logs, like the plain handler, which runs with the same NODE_ENV and Node settings) |

${HOW}

## Goals

Issue 11's goals${r.postgres ? '' : " apply on PostgreSQL; this run used the embedded database, so they are reported without a verdict (PGlite runs in Lumen's event loop)"}.

| goal | target | measured | met |
|---|---|---|---|
${goalList.map((g) => `| ${g.what} | ${g.target} | ${g.measured} | ${metText(g, r.postgres)} |`).join('\n')}

Issue 14's (rate limits on the same path; on either database).

| goal | target | measured | met |
|---|---|---|---|
${limitGoalList.map((g) => `| ${g.what} | ${g.target} | ${g.measured} | ${metText(g, true)} |`).join('\n')}

## Client page

A client with ${r.shape.managers} managers, ${r.shape.keys} API keys (${r.shape.revokedKeys} revoked; ${r.shape.usageRecords} metered requests
spread over every third key) and ${r.shape.models} models (5 needing consent, 2 consented, one disabled,
two with client rules, 8 with usage), opened by one of its managers (an admin-API token).

A **page load** is what the admin UI sends when the page opens: \`ClientPage_ClientQuery\`
(header, usage cards, managers, coin pool, model access with health) and
\`ApiKeysSection_ApiKeysQuery\` (the first ${100} active keys and their count), both at once;
it is done when both are answered. ${r.pageConcurrency} page loads in flight (${r.pageConcurrency * 2} requests).
The **plain handler** (\`clientPage/plain.ts\`, served by \`plainServer.ts\`) answers the same
two requests with the same JSON (checked deep-equal before measuring) using hand-written SQL
through the same Prisma client and connection pool, no GraphQL. It runs as Lumen does:
NODE_ENV=production, production's Node settings (\`${PRODUCTION_COMMAND}\`'s flags and
environment), no request logs.

${markdownTable(pageHeaders, [...pageRows, ...cpuRows, ...statementRows])}

SQL statements are counted in-process with Prisma's query events, running the same code
the servers run (\`yoga.fetch\` and the plain handler), after one warm-up request (a
token's \`lastUsedAt\` is written at most once a minute, and not counted here).
CPU per page load is read from \`/proc\` over the measured seconds: the server's process,
${r.postgres ? "PostgreSQL's processes, " : '(the embedded database runs inside the server process) '}and the load generator (this process).

### What GraphQL itself costs

The same two requests answered by GraphQL from memory (\`clientPage/memoryServer.ts\`):
graphql-yoga with its defaults serving Lumen's committed schema, every field resolved by
graphql-js's default resolver from the answers Lumen gave. No database, token check, Pothos
or plugin: parsing, cached validation, execution of every field, serialisation and HTTP.

${markdownTable(memoryHeaders, memoryRows)}

A server is one Node process, which uses at most one core, so it answers at most
1000 / (server CPU per page load) page loads per second. ${PAGE_GOAL}× the plain handler's
${fmt(plain.perSecond, 0)} page loads/s therefore needs at most **${fmt(budget)} ms** of server CPU per
page load. Lumen's GraphQL server spends ${fmt(graphql.cpu.server)} ms: ${fmt(graphql.cpu.server - plain.cpu.server)} ms more than the plain
handler, of which GraphQL's own work over these answers, HTTP and JSON included, is at most
${fmt(memory.cpu.server)} ms. The rest, ${fmt(graphql.cpu.server - plain.cpu.server - memory.cpu.server)} ms or more, is spent in Lumen's schema: Pothos and its
plugins (authorization scopes, the Prisma plugin's query planning, Relay connections), data access through Prisma's
query builder rather than hand-written SQL, and the garbage they leave.

## /v1

Non-streaming echo chat completions with one API key of one client whose coin pool is
LIMITED (${'10^12'} coins: it never runs out during the run, so every request is metered
against it), through Lumen (key check, access, coins, metering, usage records), and straight
to the echo provider served by a bare \`node:http\` server (\`echoServer.ts\`).

### Throughput, ${r.concurrency} requests in flight

On ${r.concurrency} kept-alive connections (\`node:http\` with a keep-alive agent, lighter for the
load generator than \`fetch\`).

${markdownTable(v1Headers, v1Rows)}

Lumen adds ${fmt(r.v1.through.p50 - r.v1.direct.p50)} ms per request at p50 (${fmt(r.v1.through.p99 - r.v1.direct.p99)} ms at p99) at this load.
Lumen's figures are the last ${r.seconds} s of ${r.v1.rss.loadSeconds} s of load.
${
  r.v1.wal.loaded !== null && r.v1.wal.oneConnection !== null
    ? `
PostgreSQL wrote ${fmt(r.v1.wal.loaded, 0)} bytes of write-ahead log per request at this load, and
${fmt(r.v1.wal.oneConnection, 0)} per request at one connection (below), where every request is a batch of
its own. That is what the hot path's statements write (usage record, lease, counters, rollup,
and their indexes), read from \`pg_current_wal_lsn()\` before and after; unlike the timings, it
does not move with the machine's speed.
`
    : ''
}
${
  pgLimit
    ? `### Against PostgreSQL's limit for per-request metering

The baseline is what PostgreSQL alone can do when every request is metered as Lumen did
before coin leases: the admission's debit (the pool's conditional UPDATE and the
reservation's INSERT, one statement, committed), then the settlement (the reservation's
DELETE, the pool's refund, the usage record's INSERT, the key's counters, the per-model
counters' upsert, one statement, committed), on the same rows of the same database
(the pool, key and model Lumen was measured on), from ${r.concurrency} connections driven with
\`pg\` (prepared statements) by the load generator, right after Lumen stopped
(\`lib/pgLimit.ts\`). One request is one such pair.

${markdownTable(limitHeaders, limitRows)}
`
    : `### Against PostgreSQL's limit for per-request metering

Not measured: the embedded database is one process's, so nothing else can drive it while
Lumen's figures are comparable (run with \`BENCH_DATABASE_URL\`).
`
}
### Latency at one connection

One request at a time on one kept-alive connection (\`node:http\` with a keep-alive agent
of one socket), Lumen idle before (no load yet). Both servers are up, and measured in
${r.v1.latency.rounds} rounds, each measuring both for ${r.v1.latency.roundSeconds} s after a short warm-up (the order swapped
every round); the figures are the medians of the rounds, so that the machine's drift weighs
on both alike (a server waiting for requests costs the other nothing).

${markdownTable(v1Headers, latencyRows)}

### With rate limits set

The same requests through the key above and through a key of a second client, identical
but for rate limits on both the client (1,000,000 requests and 2,000,000,000 tokens a minute)
and the key (900,000 and 1,000,000,000): every request is counted against both levels, none is
refused. One server of their own (no Redis, so each window is counted in memory), both keys
warmed up, then ${r.v1.limits.rounds} rounds, each measuring both keys (the order swapped every round) for
${r.v1.limits.roundSeconds} s at one connection and ${r.v1.limits.roundSeconds} s at ${r.concurrency}; the figures are the medians of
the rounds, so that the machine's drift weighs on both alike. SQL statements per request are
counted in-process (\`lib/v1Statements.ts\`: Prisma's query events and the hot path's
statements) over 50 sequential requests after a warm-up.

${markdownTable(limitedHeaders, limitedRows)}

### Memory

Lumen's resident set size (\`VmRSS\` from \`/proc/<pid>/status\`, in MB of 10^6 bytes, the
median of three readings a second apart): after the server started, took a few seconds of
/v1 requests and rested ${SETTLE_SECONDS} s; after ${rss.loadSeconds} s of /v1 load at ${r.concurrency} connections;
and after one GraphQL request, which loads the admin API (GraphQL, sign-in, the UI's files:
\`server.ts\` loads it on its first request, so an instance that serves only /v1 and its
probes never holds it).

| Lumen's RSS | MB |
|---|---:|
${rssRows.map((row) => `| ${row.name} | ${row.measured} |`).join('\n')}
`;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), r.postgres ? 'results.md' : 'results-embedded.md');
  fs.writeFileSync(file, md);
  return file;
}
