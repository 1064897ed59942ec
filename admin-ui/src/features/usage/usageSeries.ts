// A usage series as a chart shows it: the API's points (one per bucket and group, empty buckets
// included) arranged as groups × buckets, with exact totals for the legend, the tooltip, the
// table and the text summary. Pure functions, so the figures are tested without a canvas.
import { formatCoins, formatInt, sumCoins } from '../../lib/format';
import { BUCKET_WORD, type UsageBucket, type UsageGroup, type UsageRange } from './usageRange';

export type Metric = 'REQUESTS' | 'TOKENS' | 'COINS';

export const METRICS: { id: Metric; label: string }[] = [
  { id: 'REQUESTS', label: 'Requests' },
  { id: 'TOKENS', label: 'Tokens' },
  { id: 'COINS', label: 'Coins' },
];

export const GROUP_LABEL: Record<UsageGroup, string> = { MODEL: 'model', API_KEY: 'key', CLIENT: 'client' };

type Named = { id: string; name: string } | null | undefined;

/** A point as UsageChart_UsagePointFragment selects it. */
export interface SeriesPoint {
  start: string;
  other: boolean;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  coinsSpent: string;
  model?: Named;
  apiKey?: Named;
  client?: Named;
}

export interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  coinsSpent: string;
}

export interface SeriesGroup {
  key: string;
  label: string;
  other: boolean;
  color: string;
  total: Totals;
}

export interface SeriesModel {
  /** Bucket starts (ISO), oldest first. */
  starts: string[];
  /** Largest first (by requests), `other` last: the bottom of the stack is the largest group. */
  groups: SeriesGroup[];
  /** cells[group][bucket]. */
  cells: Totals[][];
  bucketTotals: Totals[];
  total: Totals;
}

// Distinct hues, the darker ones first (the largest groups get them); `other` is always gray.
const PALETTE = [
  '#1f3a5f',
  '#e08a00',
  '#2a9d8f',
  '#c8553d',
  '#6a4c93',
  '#4d908e',
  '#b5838d',
  '#577590',
  '#90be6d',
  '#f3722c',
  '#8d5a97',
  '#277da1',
  '#d4a017',
  '#43aa8b',
  '#9c6644',
  '#3d5a80',
  '#e76f51',
  '#6d597a',
  '#84a59d',
  '#bc4749',
];
export const OTHER_COLOR = '#a3abb5';

export const ZERO: Totals = { requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, coinsSpent: '0' };

export function sumTotals(items: readonly Totals[]): Totals {
  let requests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let totalTokens = 0;
  for (const t of items) {
    requests += t.requests;
    inputTokens += t.inputTokens;
    outputTokens += t.outputTokens;
    totalTokens += t.totalTokens;
  }
  return { requests, inputTokens, outputTokens, totalTokens, coinsSpent: sumCoins(items.map((t) => t.coinsSpent)) };
}

// A grouped point without its model, key or client: usage that belongs to none (a model's
// usage through personal keys has no client).
const UNNAMED: Record<UsageGroup, string> = { MODEL: 'No model', API_KEY: 'No key', CLIENT: 'Personal keys' };

function groupOf(point: SeriesPoint, groupBy: UsageGroup | null): { key: string; label: string; other: boolean } {
  if (point.other) return { key: 'other', label: 'Other', other: true };
  const named = point.model ?? point.apiKey ?? point.client;
  if (named) return { key: named.id, label: named.name, other: false };
  return groupBy ? { key: 'none', label: UNNAMED[groupBy], other: false } : { key: 'all', label: 'All usage', other: false };
}

function totalsOf(p: SeriesPoint): Totals {
  return {
    requests: p.requests,
    inputTokens: p.inputTokens,
    outputTokens: p.outputTokens,
    totalTokens: p.totalTokens,
    coinsSpent: p.coinsSpent,
  };
}

export function buildSeries(points: readonly SeriesPoint[], groupBy: UsageGroup | null): SeriesModel {
  const starts = [...new Set(points.map((p) => p.start))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const bucketIndex = new Map(starts.map((s, i) => [s, i]));
  const found = new Map<string, { key: string; label: string; other: boolean; cells: Totals[] }>();
  for (const point of points) {
    const g = groupOf(point, groupBy);
    let entry = found.get(g.key);
    if (!entry) {
      entry = { ...g, cells: starts.map(() => ZERO) };
      found.set(g.key, entry);
    }
    const i = bucketIndex.get(point.start)!;
    entry.cells[i] = entry.cells[i] === ZERO ? totalsOf(point) : sumTotals([entry.cells[i], totalsOf(point)]);
  }
  const withTotals = [...found.values()].map((g) => ({ ...g, total: sumTotals(g.cells) }));
  withTotals.sort(
    (a, b) =>
      Number(a.other) - Number(b.other) ||
      b.total.requests - a.total.requests ||
      b.total.totalTokens - a.total.totalTokens ||
      a.label.localeCompare(b.label),
  );
  let color = 0;
  const groups = withTotals.map((g) => ({
    key: g.key,
    label: g.label,
    other: g.other,
    color: g.other ? OTHER_COLOR : PALETTE[color++ % PALETTE.length],
    total: g.total,
  }));
  const cells = withTotals.map((g) => g.cells);
  const bucketTotals = starts.map((_, i) => sumTotals(cells.map((row) => row[i])));
  return { starts, groups, cells, bucketTotals, total: sumTotals(bucketTotals) };
}

/** The model without the groups whose keys are in `hidden` (hidden from the plot with the legend): colours kept, totals summed again exactly. */
export function withoutGroups(model: SeriesModel, hidden: ReadonlySet<string>): SeriesModel {
  if (hidden.size === 0) return model;
  const kept = model.groups.map((g, i) => ({ g, row: model.cells[i] })).filter(({ g }) => !hidden.has(g.key));
  const cells = kept.map(({ row }) => row);
  const bucketTotals = model.starts.map((_, i) => sumTotals(cells.map((row) => row[i])));
  return { starts: model.starts, groups: kept.map(({ g }) => g), cells, bucketTotals, total: sumTotals(bucketTotals) };
}

/** The figure drawn: a float, for pixel positions only (coins are shown from the exact strings). */
export function metricValue(t: Totals, metric: Metric): number {
  if (metric === 'REQUESTS') return t.requests;
  if (metric === 'TOKENS') return t.totalTokens;
  return Number(t.coinsSpent);
}

/** The figure as shown: exact, grouped digits ("1,234", "0.000412"). */
export function metricText(t: Totals, metric: Metric): string {
  if (metric === 'REQUESTS') return formatInt(t.requests);
  if (metric === 'TOKENS') return formatInt(t.totalTokens);
  return formatCoins(t.coinsSpent);
}

/** The figure with its unit: "1,234 requests", "1 request", "12.50 coins". */
export function metricWithUnit(t: Totals, metric: Metric): string {
  if (metric === 'REQUESTS') return `${formatInt(t.requests)} ${t.requests === 1 ? 'request' : 'requests'}`;
  if (metric === 'TOKENS') return `${formatInt(t.totalTokens)} ${t.totalTokens === 1 ? 'token' : 'tokens'}`;
  return `${formatCoins(t.coinsSpent)} coins`;
}

function isEmpty(t: Totals): boolean {
  return t.requests === 0 && t.totalTokens === 0 && /^[+-]?0*(\.0*)?$/.test(t.coinsSpent);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const key = JSON.stringify([options, timeZone]);
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { ...options, timeZone });
    formats.set(key, f);
  }
  return f;
}

/** A bucket, named as people say it: "Jul 4, 14:00", "Fri, Jul 4", "Week of Jun 29". */
export function bucketLabel(start: string, bucket: UsageBucket, timeZone?: string): string {
  const date = new Date(start);
  if (bucket === 'HOUR')
    return format({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, timeZone).format(date);
  if (bucket === 'DAY') return format({ weekday: 'short', month: 'short', day: 'numeric' }, timeZone).format(date);
  return `Week of ${format({ month: 'short', day: 'numeric', year: 'numeric' }, timeZone).format(date)}`;
}

/** A bucket under the chart's x axis, short: "14:00" (the date at midnight), "Nov 22". */
export function axisLabel(start: string, bucket: UsageBucket, timeZone?: string): string {
  const date = new Date(start);
  if (bucket === 'HOUR') {
    const time = format({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, timeZone).format(date);
    if (time !== '00:00') return time;
  }
  return format({ month: 'short', day: 'numeric' }, timeZone).format(date);
}

/**
 * The chart in words (its accessible name): what, per what, over which dates, the total, the
 * busiest bucket and the largest groups. Figures are exact, as in the table.
 */
export function seriesSummary(options: {
  model: SeriesModel;
  metric: Metric;
  bucket: UsageBucket;
  range: UsageRange;
  groupBy: UsageGroup | null;
  subject: string;
  timeZone?: string;
}): string {
  const { model, metric, bucket, range, groupBy, subject, timeZone } = options;
  const what = METRICS.find((m) => m.id === metric)!.label;
  const { starts } = model;
  const span =
    starts.length > 0
      ? ` (${bucketLabel(starts[0], bucket, timeZone)} to ${bucketLabel(starts[starts.length - 1], bucket, timeZone)})`
      : '';
  const head = `${what} per ${BUCKET_WORD[bucket].one} for ${subject} over the last ${range.label}${span}`;
  if (isEmpty(model.total)) return `${head}: no usage in this range.`;
  let peak = 0;
  model.bucketTotals.forEach((t, i) => {
    if (metricValue(t, metric) > metricValue(model.bucketTotals[peak], metric)) peak = i;
  });
  let text = `${head}: ${metricWithUnit(model.total, metric)} in total. Busiest ${BUCKET_WORD[bucket].one}: ${bucketLabel(starts[peak], bucket, timeZone)}, ${metricWithUnit(model.bucketTotals[peak], metric)}.`;
  if (groupBy) {
    const shown = model.groups.filter((g) => !isEmpty(g.total));
    const top = [...shown].sort((a, b) => metricValue(b.total, metric) - metricValue(a.total, metric)).slice(0, 3);
    const rest = shown.length - top.length;
    text += ` By ${GROUP_LABEL[groupBy]}: ${top.map((g) => `${g.label} ${metricText(g.total, metric)}`).join(', ')}${rest > 0 ? `, and ${rest} more` : ''}.`;
  }
  return text;
}

/** What the tooltip lists for one bucket: each group with usage in it, largest first, and the bucket's total. */
export function tooltipRows(model: SeriesModel, index: number, metric: Metric): { label: string; color: string; value: string }[] {
  const rows = model.groups
    .map((g, gi) => ({ g, t: model.cells[gi][index] }))
    .filter(({ t }) => !isEmpty(t))
    .sort((a, b) => metricValue(b.t, metric) - metricValue(a.t, metric))
    .map(({ g, t }) => ({ label: g.label, color: g.color, value: metricText(t, metric) }));
  return rows;
}
