// Whether a key of this owner can call a model right now, and if not, why and where to go.
// The access status (modelAccess.ts) is about rules and consent only; a call also needs a
// coin pool that can pay, which is what the Profile page missed ("Allowed" for a user whose
// every call was refused for want of a pool).
import type { CoinPool } from '../generated/prisma/client.ts';
import { exact } from './coins.ts';
import { setUpPoolDirections, unblockDirections } from './directions.ts';
import type { ModelAccessEntry } from './modelAccess.ts';

export const CALL_REFUSALS = ['MODEL_DISABLED', 'BLOCKED', 'NEEDS_CONSENT', 'NO_COIN_POOL', 'NO_COINS'] as const;
export type CallRefusal = (typeof CALL_REFUSALS)[number];

type Pool = Pick<CoinPool, 'state' | 'balance' | 'refillAmount' | 'refillIntervalSeconds' | 'lastRefillAt'>;

/** A LIMITED pool with nothing left and no refill due refuses every call to a model that costs anything. */
function isEmpty(pool: Pool, entry: ModelAccessEntry, now: Date): boolean {
  if (pool.state !== 'LIMITED' || exact(pool.balance).greaterThan(0)) return false;
  const free = exact(entry.model.inputCoinsPerMillion).isZero() && exact(entry.model.outputCoinsPerMillion).isZero();
  const refillDue =
    !!pool.refillAmount &&
    !!pool.refillIntervalSeconds &&
    !!pool.lastRefillAt &&
    pool.lastRefillAt.getTime() + pool.refillIntervalSeconds * 1000 <= now.getTime();
  return !free && !refillDue;
}

/** Why every call with this owner's keys to the entry's model is refused now, or null when calls are admitted. */
export function callRefusal(entry: ModelAccessEntry, pool: Pool | null, now = new Date()): CallRefusal | null {
  if (entry.model.disabled) return 'MODEL_DISABLED';
  if (entry.status === 'BLOCKED') return 'BLOCKED';
  if (entry.status === 'NEEDS_CONSENT') return 'NEEDS_CONSENT';
  if (!pool || pool.state === 'NOT_CONFIGURED') return 'NO_COIN_POOL';
  if (isEmpty(pool, entry, now)) return 'NO_COINS';
  return null;
}

/** The refusal in words, with where to go about it (the same directions as /v1's errors). */
export function callRefusalReason(entry: ModelAccessEntry, refusal: CallRefusal | null): string | null {
  const whose = entry.owner.clientId ? 'this client' : 'these personal keys';
  switch (refusal) {
    case null:
      return null;
    case 'MODEL_DISABLED':
      return `The administrators disabled ${entry.model.name}.`;
    case 'BLOCKED':
      return `${entry.model.name} is blocked for ${whose}; ${unblockDirections(entry.owner)}`;
    case 'NEEDS_CONSENT':
      return `${entry.model.name} needs consent before ${whose} may use it: read its notice and consent in this table.`;
    case 'NO_COIN_POOL':
      return `No coin pool is set up for ${whose}, so every call is refused; ${setUpPoolDirections(entry.owner)}`;
    case 'NO_COINS':
      return `The coin pool of ${whose} is empty, so every call is refused until it is refilled; ask an admin for more coins.`;
  }
}
