// The pool settings form's checks of each field on its own, as the API makes them
// (api/src/domain/coinPools.ts), so that a problem shows beside its field before anything is sent.

export type PoolField = 'capacity' | 'balance' | 'refillAmount' | 'interval';

export interface PoolValues {
  capacity: string;
  balance: string;
  refill: boolean;
  refillAmount: string;
  intervalCount: string;
  intervalUnit: number;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

const isPositive = (value: string) => DECIMAL.test(value) && /[1-9]/.test(value);

/** What is wrong with each field of a LIMITED pool, in sentence case; empty when nothing is. */
export function poolProblems(values: PoolValues): Partial<Record<PoolField, string>> {
  const problems: Partial<Record<PoolField, string>> = {};
  const capacity = values.capacity.trim();
  const balance = values.balance.trim();
  if (!isPositive(capacity)) problems.capacity = 'Capacity must be a number of coins greater than 0, for example 100 or 12.5.';
  // Balance above capacity is the API's to refuse: its message comes back beside this field.
  if (!DECIMAL.test(balance)) problems.balance = 'Balance must be a number of coins, for example 100 or 12.5.';
  if (values.refill) {
    if (!isPositive(values.refillAmount.trim())) problems.refillAmount = 'Refill amount must be a number of coins greater than 0.';
    const count = Number(values.intervalCount.trim());
    if (!/^\d+$/.test(values.intervalCount.trim()) || count < 1) problems.interval = 'The interval must be a whole number, 1 or more.';
    else if (count * values.intervalUnit > MAX_INTERVAL_SECONDS) problems.interval = 'The interval can be at most 366 days.';
  }
  return problems;
}

/** The API's names for the form's fields (BAD_USER_INPUT extensions.field). */
export const API_FIELDS: Record<string, PoolField> = {
  capacity: 'capacity',
  balance: 'balance',
  refillAmount: 'refillAmount',
  refillIntervalSeconds: 'interval',
};
