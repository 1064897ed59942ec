// Display helpers. Counters may arrive as numbers or (for 64-bit values) decimal strings;
// coins are exact decimal strings and are formatted without going through floats.

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInt(value: number | string | bigint | null | undefined): string {
  if (value === null || value === undefined || value === '') return '0';
  if (typeof value === 'number') return intFormat.format(value);
  try {
    return intFormat.format(BigInt(value));
  } catch {
    return String(value);
  }
}

function groupDigits(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

type Decimal = { negative: boolean; int: string; frac: string };

/** A decimal string ("-12.50") in parts, leading zeros of the integer and trailing zeros of the fraction dropped. */
function parseDecimal(value: string): Decimal | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  return { negative: m[1] === '-', int: (m[2] || '0').replace(/^0+(?=\d)/, ''), frac: (m[3] ?? '').replace(/0+$/, '') };
}

/**
 * Coins for display, exactly as the API counts them: every significant digit of the decimal
 * string, never rounded (19.999991 stays 19.999991: rounded, it would read as a full 20.00),
 * with digit grouping and at least two decimals ("1,234.50", "0.000412").
 */
export function formatCoins(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const d = parseDecimal(String(value));
  if (!d) return String(value);
  const frac = d.frac.padEnd(2, '0');
  const isZero = /^0*$/.test(d.int + frac);
  return `${d.negative && !isZero ? '-' : ''}${groupDigits(d.int)}.${frac}`;
}

/** A decimal as an integer count of 10^-scale units (scale at least its fraction's length). */
const scaled = (d: Decimal, scale: number) => BigInt(d.int + d.frac.padEnd(scale, '0')) * (d.negative ? -1n : 1n);

/** Whether the decimal string `a` is less than `b`, compared exactly (floats could flip a comparison of near-equal amounts). */
export function coinsLessThan(a: string, b: string): boolean {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return coinsToNumber(a) < coinsToNumber(b);
  const width = Math.max(x.frac.length, y.frac.length);
  return scaled(x, width) < scaled(y, width);
}

/**
 * The exact sum of decimal strings ("0.1", "2.000045", "-3"), as a decimal string without
 * trailing zeros: a chart adds coins up, and floats would show 0.1 + 0.2 as 0.30000000000000004
 * or drop the last digits of large sums. Throws on a value that is not a decimal.
 */
export function sumCoins(values: Iterable<string>): string {
  const parts = [...values].map((value) => parseDecimal(value) ?? fail(value));
  const scale = Math.max(0, ...parts.map((d) => d.frac.length));
  const total = parts.reduce((sum, d) => sum + scaled(d, scale), 0n);
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0');
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${total < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${frac ? `.${frac}` : ''}`;
}

function fail(value: string): never {
  throw new Error(`Not a decimal amount of coins: ${JSON.stringify(value)}`);
}

/** Compare two decimal strings numerically (for sorting); precise enough for ordering. */
export function coinsToNumber(value: string | null | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(iso: string | null | undefined, never = 'Never'): string {
  if (!iso) return never;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** A moment today, to the second ("14:05:09"): when figures were last current. */
export function formatTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

/** "2 h 05 min", "4 min 09 s", "12 s", "3 d 4 h". */
export function formatCountdown(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return `${m} min ${pad(sec)} s`;
  return `${sec} s`;
}

/** The period of a refill, in words: "hour", "day", "30 minutes", "90 seconds". */
export function formatInterval(seconds: number): string {
  const named: Record<number, string> = { 1: 'second', 60: 'minute', 3600: 'hour', 86400: 'day', 604800: 'week' };
  if (named[seconds]) return named[seconds];
  const units: [number, string][] = [
    [604800, 'weeks'],
    [86400, 'days'],
    [3600, 'hours'],
    [60, 'minutes'],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) return `${seconds / size} ${name}`;
  }
  return `${seconds} seconds`;
}

/** The page of a client. Relay ids are base64 ("=" is fine in a path; "/" and "+" are escaped). */
export function clientPath(id: string): string {
  return `/clients/${encodeURIComponent(id).replace(/%3D/g, '=')}`;
}
