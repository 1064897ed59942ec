// An owner's coin pool row, read once however many fields of one answer ask for it (the
// coinPool and coinRefill cards, and every Model Access row's callable/refusal). The one
// place the schema reads a pool: how a pool's figures are made up is decided in readCoinPools.
import DataLoader from 'dataloader';
import { readCoinPools } from '../domain/coinPools.ts';
import type { Owner } from '../domain/owner.ts';
import type { CoinPool } from '../generated/prisma/client.ts';

const keyOf = (owner: { clientId?: string | null; userId?: string | null }) =>
  owner.clientId ? `client:${owner.clientId}` : `user:${owner.userId}`;

// The owners asked for while a list's rows resolve go as one statement. Nothing is cached here
// (the memo below is): pools change, and one loader serves every request.
const batch = new DataLoader<Owner, CoinPool | null>(
  async (owners) => {
    const pools = new Map((await readCoinPools([...owners])).map((pool) => [keyOf(pool), pool]));
    return owners.map((owner) => pools.get(keyOf(owner)) ?? null);
  },
  // setImmediate, not a microtask: the rows' auth scopes are awaited one by one before their resolvers run.
  { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
);

// Keyed by the owner object, not by the request: the fields of one answer share an owner object
// (usageOwner.ts and subscription.ts make one per row or event, and Model Access entries carry
// it), while a subscription's context outlives many events, each of which must read afresh.
const pools = new WeakMap<Owner, Promise<CoinPool | null>>();

/** The owner's pool, or null when none was ever set (NOT_CONFIGURED). */
export function ownerPool(owner: Owner): Promise<CoinPool | null> {
  let pool = pools.get(owner);
  if (!pool) {
    pool = batch.load(owner);
    pools.set(owner, pool);
  }
  return pool;
}
