// Usage totals. Per-request records are summed into per-key and per-(owner, model)
// counters in the same transaction; owner totals are the sum of the latter, so the
// figures on a page always agree with each other.
import { db, type Tx } from '../db/current.ts';
import { exact, type Decimal } from './coins.ts';
import { ownerWhere, type Owner } from './owner.ts';

export interface UsageTotals {
  requests: number;
  inputTokens: bigint;
  outputTokens: bigint;
  coinsSpent: Decimal;
}

export const NO_USAGE: UsageTotals = { requests: 0, inputTokens: 0n, outputTokens: 0n, coinsSpent: exact(0) };

export async function ownerUsage(owner: Owner, tx: Tx = db()): Promise<UsageTotals> {
  const sums = await tx.modelUsage.aggregate({
    where: ownerWhere(owner),
    _sum: { requests: true, inputTokens: true, outputTokens: true, coinsSpent: true },
  });
  return {
    requests: sums._sum.requests ?? 0,
    inputTokens: sums._sum.inputTokens ?? 0n,
    outputTokens: sums._sum.outputTokens ?? 0n,
    coinsSpent: exact(sums._sum.coinsSpent ?? 0),
  };
}
