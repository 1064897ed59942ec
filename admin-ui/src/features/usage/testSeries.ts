// Test helpers: usage series the way the API answers them (every bucket of the range, every
// group in every bucket, zeros included), built from the variables a query was sent with.
import type { SeriesVariables } from './usageRange';

type Named = { id: string; name: string };

/** The bucket starts the API would send for these variables (bounds computed like usageRange.ts, in the test's zone). */
export function bucketStarts(v: Pick<SeriesVariables, 'from' | 'to' | 'bucket'>): string[] {
  const starts: string[] = [];
  const to = Date.parse(v.to);
  for (let d = new Date(v.from); d.getTime() < to;) {
    starts.push(d.toISOString());
    if (v.bucket === 'HOUR') d = new Date(d.getTime() + 3_600_000);
    else d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + (v.bucket === 'DAY' ? 1 : 7));
  }
  return starts;
}

export interface GroupUsage {
  model?: Named;
  apiKey?: Named;
  client?: Named;
  other?: boolean;
  /** Usage in some buckets, by index from the oldest: requests, tokens in and out, coins. */
  buckets: Record<number, { requests: number; input: number; output: number; coins: string }>;
}

export function seriesPoints(v: Pick<SeriesVariables, 'from' | 'to' | 'bucket'>, groups: GroupUsage[]) {
  return bucketStarts(v).flatMap((start, i) =>
    groups.map((g) => {
      const u = g.buckets[i] ?? { requests: 0, input: 0, output: 0, coins: '0' };
      return {
        start,
        other: g.other ?? false,
        model: g.model ?? null,
        apiKey: g.apiKey ?? null,
        client: g.client ?? null,
        requests: u.requests,
        inputTokens: u.input,
        outputTokens: u.output,
        totalTokens: u.input + u.output,
        coinsSpent: u.coins,
      };
    }),
  );
}
