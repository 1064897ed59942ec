// Fault windows and what the load saw in and out of them. A window runs from the
// moment the fault is injected until the fault is over plus a grace period for
// recovery (reconnecting, pools refilling); a request belongs to a window when its
// lifetime overlaps it at all, so "outside every window" is strict.
import type { Sent } from './load.ts';

export interface Window {
  from: number;
  /** When the fault itself was over (Redis back, PostgreSQL restarted, the instance gone). */
  over: number;
  /** over + grace. */
  to: number;
}

export interface Tally {
  sent: number;
  answered: number;
  /** "503 service_unavailable", "no status: timeout", ... */
  errors: Record<string, number>;
}

export const overlaps = (s: Sent, w: Window) => s.start <= w.to && s.end >= w.from;

export function tally(requests: Sent[]): Tally {
  const errors: Record<string, number> = {};
  let answered = 0;
  for (const s of requests) {
    if (s.status === 200) answered++;
    else {
      const what = s.status === 0 ? `no status: ${s.error}` : `${s.status} ${s.error ?? ''}`.trim();
      errors[what] = (errors[what] ?? 0) + 1;
    }
  }
  return { sent: requests.length, answered, errors };
}

export const percent = (t: Tally) => (t.sent === 0 ? 'n/a' : `${((100 * t.answered) / t.sent).toFixed(1)}%`);

export const describe = (t: Tally) => {
  const errors = Object.entries(t.errors)
    .map(([what, n]) => `${what} ×${n}`)
    .join(', ');
  return `${t.answered}/${t.sent} answered (${percent(t)})${errors ? `; ${errors}` : ''}`;
};

/** The longest stretch around a window in which no request was answered, in seconds. */
export function longestSilence(log: Sent[], w: Window): number {
  const ends = log
    .filter((s) => s.status === 200 && s.end >= w.from - 1000 && s.end <= w.to)
    .map((s) => s.end)
    .sort((a, b) => a - b);
  let longest = 0;
  let previous = w.from;
  for (const end of [...ends, w.to]) {
    if (end >= w.from) {
      longest = Math.max(longest, end - previous);
      previous = end;
    }
  }
  return longest / 1000;
}
