// Writes bench/results.md (overwritten each run) and prints the same tables.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatementCounts } from './clientPage/statements.ts';
import type { Result } from './lib/load.ts';
import type { Machine } from './lib/machine.ts';
import { compare, consoleTable, fmt, markdownTable, type Row } from './lib/report.ts';

export interface BenchResults {
  machine: Machine;
  date: Date;
  database: string;
  seconds: number;
  concurrency: number;
  pageConcurrency: number;
  shape: { managers: number; keys: number; revokedKeys: number; models: number; usageRecords: number };
  page: { graphql: Result; plain: Result };
  statements: StatementCounts;
  v1: { direct: Result; through: Result };
}

const HOW = `Each server runs in its own process and listens on loopback; the load generator
(this process) keeps a fixed number of units of work in flight (closed loop) for the stated
time after a short warm-up. The servers are started one at a time, so none shares the
CPU with another, and the embedded database (one process at a time) works too. Real
servers rather than in-process \`yoga.fetch\`: the figures then include HTTP parsing and
serialisation, as a browser or an SDK sees them, and the load generator does not share
an event loop with the code it measures.`;

export function writeResults(r: BenchResults): string {
  const { graphql, plain } = r.page;
  const s = r.statements;
  const pageRows: Row[] = compare(graphql, plain, 'page loads');
  pageRows.splice(1, 0, {
    name: 'HTTP requests/s',
    baseline: fmt(plain.perSecond * 2, 0),
    measured: fmt(graphql.perSecond * 2, 0),
    ratio: fmt(graphql.perSecond / plain.perSecond),
  });
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
  const pageHeaders: [string, string, string, string] = ['', 'plain handler (baseline)', 'GraphQL', 'GraphQL / plain'];
  const v1Headers: [string, string, string, string] = ['', 'echo directly (baseline)', 'through Lumen', 'Lumen / direct'];

  console.log(
    `\nClient page (${r.shape.managers} managers, ${r.shape.keys} keys, ${r.shape.models} models), ${r.pageConcurrency} page loads in flight:`,
  );
  console.log(consoleTable(pageHeaders, [...pageRows, ...statementRows]));
  console.log(`\n/v1 non-streaming echo, ${r.concurrency} requests in flight:`);
  console.log(consoleTable(v1Headers, v1Rows));
  console.log(
    `\nLumen adds ${fmt(r.v1.through.p50 - r.v1.direct.p50)} ms per /v1 request at p50; GraphQL takes ${fmt(graphql.p50 - plain.p50)} ms more than the plain handler per page load at p50.`,
  );

  const m = r.machine;
  const md = `# Benchmark results

Written by \`npm run bench\` (see [README.md](README.md)); overwritten on every run.

| | |
|---|---|
| date | ${r.date.toISOString()} |
| CPU | ${m.cpu} |
| cores | ${m.cores} |
| memory | ${m.memoryGiB} GiB |
| Node.js | ${m.node} |
| OS | ${m.os} |
| database | ${r.database} |
| duration | ${r.seconds} s per measurement, after a warm-up |

${HOW}

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
through the same Prisma client and connection pool, no GraphQL.

${markdownTable(pageHeaders, [...pageRows, ...statementRows])}

SQL statements are counted in-process with Prisma's query events, running the same code
the servers run (\`yoga.fetch\` and the plain handler), after one warm-up request (a
token's \`lastUsedAt\` is written at most once a minute, and not counted here).

## /v1

Non-streaming echo chat completions, ${r.concurrency} requests in flight: through Lumen (key check,
access, coin reservation, metering, usage records) and straight to the echo provider served
by a bare \`node:http\` server.

${markdownTable(v1Headers, v1Rows)}

Lumen adds ${fmt(r.v1.through.p50 - r.v1.direct.p50)} ms per request at p50 (${fmt(r.v1.through.p99 - r.v1.direct.p99)} ms at p99).
`;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.md');
  fs.writeFileSync(file, md);
  return file;
}
