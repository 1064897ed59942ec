// Usage counters, shared by clients, users, keys and model access rows.
import type { UsageTotals } from '../domain/usage.ts';
import { builder } from './builder.ts';

/** GraphQL Int is 32-bit; a counter beyond it is reported, never silently wrapped. */
export function toInt(value: bigint | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new Error(`Counter ${value} exceeds the range of GraphQL Int`);
  return n;
}

export const UsageRef = builder.objectRef<UsageTotals>('Usage').implement({
  description: 'Requests, tokens and coins, summed from the metered requests.',
  fields: (t) => ({
    requests: t.int({ resolve: (u) => u.requests }),
    inputTokens: t.int({ resolve: (u) => toInt(u.inputTokens) }),
    outputTokens: t.int({ resolve: (u) => toInt(u.outputTokens) }),
    totalTokens: t.int({ resolve: (u) => toInt(BigInt(u.inputTokens) + BigInt(u.outputTokens)) }),
    coinsSpent: t.field({ type: 'Coins', resolve: (u) => u.coinsSpent }),
  }),
});
