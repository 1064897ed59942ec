// Prints the soak's verdict and writes bench/soak-results.md (overwritten each run).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from '../lib/machine.ts';
import type { Check } from './checks.ts';
import type { MemoryVerdict } from './memory.ts';
import type { Traffic } from './traffic.ts';

export interface SoakReport {
  machine: Machine;
  date: Date;
  database: string;
  redis: string;
  seconds: number;
  concurrency: number;
  maxRequests: number;
  subscriptions: string;
  traffic: Traffic;
  memory: MemoryVerdict;
  checks: Check[];
  serverExit: string;
}

export function writeSoakReport(r: SoakReport): { ok: boolean; file: string } {
  const t = r.traffic;
  const m = r.memory;
  const errorsOk = t.errorCount === 0;
  const all: Check[] = [
    {
      ok: errorsOk,
      what: 'no errors',
      detail: errorsOk
        ? `${t.requests} requests, none failed (429s of the tight pool are deliberate: ${t.tallies.tight.refused})`
        : `${t.errorCount} failed; first: ${t.errors.join(' | ')}`,
    },
    {
      ok: m.ok,
      what: `RSS growth after warm-up < ${m.boundMiB} MiB`,
      detail: `${m.afterWarmUpMiB.toFixed(1)} MiB after ${m.warmUpSeconds} s warm-up → ${m.endMiB.toFixed(1)} MiB at the end (${m.growthMiB >= 0 ? '+' : ''}${m.growthMiB.toFixed(1)} MiB; peak ${m.peakMiB.toFixed(1)} MiB; ${m.samples.length} samples)`,
    },
    ...r.checks,
    { ok: r.serverExit === 'exit code 0', what: 'server stops cleanly on SIGTERM', detail: r.serverExit },
  ];
  const ok = all.every((c) => c.ok);
  for (const c of all) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.what}: ${c.detail}`);
  console.log(ok ? '\nSoak passed.' : '\nSoak FAILED.');

  const mc = r.machine;
  const kinds = Object.entries(t.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const md = `# Soak results

Written by \`npm run soak -w @lumen/api\` (see [README.md](README.md)); overwritten on every run.
**${ok ? 'Passed' : 'FAILED'}.**

| | |
|---|---|
| date | ${r.date.toISOString()} |
| CPU | ${mc.cpu} (${mc.cores} cores), ${mc.memoryGiB} GiB, ${mc.os} |
| Node.js | ${mc.node} |
| database | ${r.database} |
| event bus | ${r.redis} |
| duration | ${r.seconds} s (SOAK_SECONDS), at most ${r.maxRequests} requests, ${r.concurrency} requests in flight |
| traffic | ${t.requests} requests: ${kinds} |
| subscriptions | ${r.subscriptions} |

| check | result | detail |
|---|---|---|
${all.map((c) => `| ${c.what} | ${c.ok ? 'ok' : '**FAIL**'} | ${c.detail.replace(/\|/g, '\\|')} |`).join('\n')}

RSS of the server process (MiB), sampled from \`/proc/<pid>/status\`:

${m.samples
  .filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / 20)) === 0 || i === all.length - 1)
  .map((s) => `${s.atSeconds.toFixed(0)} s: ${s.rssMiB.toFixed(1)}`)
  .join(' · ')}
`;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'soak-results.md');
  fs.writeFileSync(file, md);
  return { ok, file };
}
