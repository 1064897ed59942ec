// Prints the verdict and writes faults/results.md (overwritten each run), like the soak's report.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from '../../bench/lib/machine.ts';
import type { Verdict } from './checks.ts';
import { describe } from './windows.ts';

export interface FaultReport {
  machine: Machine;
  date: Date;
  postgres: string;
  redis: string;
  load: string;
  seconds: number;
  loadStart: number;
  timeline: string[];
  verdict: Verdict;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function writeFaultReport(r: FaultReport): string {
  const v = r.verdict;
  for (const c of v.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.what}: ${c.detail}`);
  for (const f of v.faults) console.log(`cost: ${f.cost}`);
  console.log(v.ok ? '\nFault suite passed.' : '\nFault suite FAILED.');
  const at = (t: number) => ((t - r.loadStart) / 1000).toFixed(1);
  const mc = r.machine;
  const md = `# Fault suite results

Written by \`npm run faults -w @lumen/api\` (\`api/faults/run.ts\`); overwritten on every run.
**${v.ok ? 'Passed' : 'FAILED'}.**

| | |
|---|---|
| date | ${r.date.toISOString()} |
| CPU | ${mc.cpu} (${mc.cores} cores), ${mc.memoryGiB} GiB, ${mc.os} |
| Node.js | ${mc.node} |
| PostgreSQL | ${r.postgres} |
| Redis | ${r.redis} |
| load | ${r.load} |
| duration | ${r.seconds.toFixed(0)} s of load, faults in sequence with quiet periods between |

## What each fault cost

${v.faults.map((f) => `- ${f.cost}.`).join('\n')}

## Faults

| fault | injected at | over at | window ends | answered in the window (survivors) | longest stretch without an answer | notes |
|---|---:|---:|---:|---|---:|---|
${v.faults
  .map((f) => {
    const w = f.run.window;
    const notes = [
      ...f.run.notes,
      f.run.name === 'redis' ? `while down: ${describe(f.duringFault)}` : '',
      f.run.revocation ? `revocation: ${f.run.revocation.detail}` : '',
      f.run.rateLimit ? `rate limit: ${f.run.rateLimit}` : '',
      `/readyz: ${f.readiness}`,
      f.lost ? `in flight on ${f.run.killed} at the kill: ${describe(f.lost)}` : '',
    ].filter(Boolean);
    return `| ${f.run.title} | ${at(w.from)} s | ${at(w.over)} s | ${at(w.to)} s | ${cell(describe(f.inWindow))} | ${f.silenceSeconds.toFixed(1)} s | ${cell(notes.join('; '))} |`;
  })
  .join('\n')}
| outside every window | | | | ${cell(describe(v.outside))} | | |

Times are seconds after the load started. A window runs from the fault's injection
until it is over (Redis restarted, PostgreSQL restarted, the instance dead) plus a
grace period; a request belongs to it when its lifetime overlaps it at all.

## Checks

| check | result | detail |
|---|---|---|
${v.checks.map((c) => `| ${cell(c.what)} | ${c.ok ? 'ok' : '**FAIL**'} | ${cell(c.detail)} |`).join('\n')}

How requests are counted: *answered* is a 200 with the whole answer and its usage
(a stream: up to its usage chunk). A request that got no HTTP status (a timeout, a
connection refused or reset, as for requests in flight on a killed instance) may have
been recorded, or may still hold its reservation until the reclaim: so per key,
answered ≤ usage records (status ok) ≤ answered + requests without a status. The
books are read with SQL after every live instance drained and stopped.

## Timeline

${r.timeline.map((line) => `- ${line}`).join('\n')}
`;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results.md');
  fs.writeFileSync(file, md);
  return file;
}
