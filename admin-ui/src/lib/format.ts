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

/** Round a decimal string half-up to `digits` places, exactly. */
function roundDecimal(value: string, digits: number): { negative: boolean; int: string; frac: string } | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const negative = m[1] === '-';
  let int = (m[2] || '0').replace(/^0+(?=\d)/, '');
  let frac = (m[3] ?? '').padEnd(digits + 1, '0');
  const roundUp = Number(frac[digits]) >= 5;
  frac = frac.slice(0, digits);
  if (roundUp) {
    const all = (int + frac).split('').map(Number);
    let i = all.length - 1;
    while (i >= 0) {
      if (all[i] === 9) {
        all[i] = 0;
        i--;
      } else {
        all[i]++;
        break;
      }
    }
    let joined = all.join('');
    if (i < 0) joined = '1' + joined;
    int = joined.slice(0, joined.length - digits) || '0';
    frac = joined.slice(joined.length - digits);
  }
  return { negative, int, frac };
}

/**
 * Coins for display: two decimals with digit grouping ("1,234.50"); tiny non-zero
 * amounts keep enough decimals to not read as zero ("0.0004").
 */
export function formatCoins(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  let digits = 2;
  const small = /^\s*[+-]?0*\.(0*)[1-9]/.exec(text);
  if (small && small[1].length >= 2) digits = Math.min(small[1].length + 1, 8);
  const r = roundDecimal(text, digits);
  if (!r) return text;
  const isZero = /^0*$/.test(r.int + r.frac);
  return `${r.negative && !isZero ? '-' : ''}${groupDigits(r.int)}${digits > 0 ? '.' + r.frac : ''}`;
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
