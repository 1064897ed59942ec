// Tables for the console and for results.md: each measured figure beside its
// baseline from the same run, and the ratio between them.
import type { Result } from './load.ts';

export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export interface Row {
  name: string;
  baseline: string;
  measured: string;
  ratio: string;
}

/** requests/s, p50 and p99 of a measurement against its baseline; ratio = measured / baseline. */
export function compare(measured: Result, baseline: Result, unit: string): Row[] {
  return [
    {
      name: `${unit}/s`,
      baseline: fmt(baseline.perSecond, 0),
      measured: fmt(measured.perSecond, 0),
      ratio: fmt(measured.perSecond / baseline.perSecond),
    },
    { name: 'p50 latency (ms)', baseline: fmt(baseline.p50), measured: fmt(measured.p50), ratio: fmt(measured.p50 / baseline.p50) },
    { name: 'p99 latency (ms)', baseline: fmt(baseline.p99), measured: fmt(measured.p99), ratio: fmt(measured.p99 / baseline.p99) },
    {
      name: `${unit} completed (failed)`,
      baseline: `${baseline.requests} (${baseline.failures})`,
      measured: `${measured.requests} (${measured.failures})`,
      ratio: '',
    },
  ];
}

export function markdownTable(headers: [string, string, string, string], rows: Row[]): string {
  const lines = [`| ${headers.join(' | ')} |`, '|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.baseline} | ${r.measured} | ${r.ratio} |`);
  return lines.join('\n');
}

export function consoleTable(headers: [string, string, string, string], rows: Row[]): string {
  const line = (cells: string[]) =>
    cells[0].padEnd(30) +
    cells
      .slice(1)
      .map((c) => c.padStart(20))
      .join('');
  return [line(headers), ...rows.map((r) => line([r.name, r.baseline, r.measured, r.ratio]))].join('\n');
}
