// /readyz as an orchestrator would poll it: every live instance twice a second,
// all through the run, so the report can say what readiness said during each
// fault (ready while Redis is down, not ready while PostgreSQL is) and after.
import type { Fleet } from './fleet.ts';

export interface ReadySample {
  instance: string;
  at: number;
  /** The HTTP status; 0 when none came back in time. */
  status: number;
  body: { database?: string; migrations?: string; draining?: boolean; redis?: string } | null;
}

export function pollReadiness(fleet: Fleet, everyMs = 500): { samples: ReadySample[]; stop(): void } {
  const samples: ReadySample[] = [];
  const probe = async (instance: { id: string; url: string }) => {
    const at = Date.now();
    try {
      const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(3000) });
      const text = await response.text();
      let body: ReadySample['body'] = null;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as null, the status says enough
      }
      samples.push({ instance: instance.id, at, status: response.status, body });
    } catch {
      samples.push({ instance: instance.id, at, status: 0, body: null });
    }
  };
  const timer = setInterval(() => {
    for (const instance of fleet.live()) void probe(instance);
  }, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** "200 ×12 (redis down ×11), 503 ×2 (database unreachable ×2)". */
export function describeReadiness(samples: ReadySample[]): string {
  const groups = new Map<string, number>();
  for (const s of samples) {
    const notes = s.body
      ? [
          s.body.database !== 'ok' && `database ${s.body.database}`,
          s.body.migrations !== 'ok' && `migrations ${s.body.migrations}`,
          s.body.draining && 'draining',
          s.body.redis !== 'ok' && `redis ${s.body.redis}`,
        ]
          .filter(Boolean)
          .join(', ')
      : s.status === 0
        ? 'no answer'
        : 'no JSON body';
    const label = `${s.status}${notes ? ` (${notes})` : ''}`;
    groups.set(label, (groups.get(label) ?? 0) + 1);
  }
  return samples.length === 0 ? 'no samples' : [...groups].map(([label, n]) => `${label} ×${n}`).join(', ');
}

export const nominal = (s: ReadySample) =>
  s.status === 200 && s.body?.database === 'ok' && s.body.migrations === 'ok' && s.body.draining === false && s.body.redis === 'ok';
