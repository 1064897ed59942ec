// A client's coin pool and its refill schedule, as the usage cards show them.
import type { InputFieldBuilder } from '@pothos/core';
import type { CoinPool } from '../generated/prisma/client.ts';
import { nextRefillAt } from '../domain/coinPools.ts';
import { largestRecentReservations } from '../domain/reservationHistory.ts';
import { batchLoader } from './batch.ts';
import { builder } from './builder.ts';
import { CoinPoolStateEnum } from './enums.ts';

/** A stored pool has its owner; a missing one (NOT_CONFIGURED, never admitted a request) has none. */
type PoolView = Pick<CoinPool, 'state' | 'balance' | 'capacity'> & Partial<Pick<CoinPool, 'clientId' | 'userId'>>;

const clientsLargest = batchLoader((ids) => largestRecentReservations('clientId', ids), null);
const usersLargest = batchLoader((ids) => largestRecentReservations('userId', ids), null);

export const CoinPoolRef = builder.objectRef<PoolView>('CoinPool').implement({
  fields: (t) => ({
    state: t.field({ type: CoinPoolStateEnum, resolve: (p) => p.state }),
    balance: t.field({
      type: 'Coins',
      nullable: true,
      description: 'LIMITED pools only.',
      resolve: (p) => (p.state === 'LIMITED' ? p.balance : null),
    }),
    capacity: t.field({
      type: 'Coins',
      nullable: true,
      description: 'LIMITED pools only.',
      resolve: (p) => (p.state === 'LIMITED' ? p.capacity : null),
    }),
    largestRecentReservation: t.field({
      type: 'Coins',
      nullable: true,
      description:
        "The largest reservation (worst-case cost) among the owner's last 20 requests; null without requests. The UI warns when the balance is below it.",
      resolve: (p, _args, ctx) =>
        p.clientId ? clientsLargest(ctx, p.clientId) : p.userId ? usersLargest(ctx, p.userId) : Promise.resolve(null),
    }),
  }),
});

interface RefillView {
  amount: CoinPool['refillAmount'];
  intervalSeconds: number;
  nextRefillAt: Date;
}

export const CoinRefillRef = builder.objectRef<RefillView>('CoinRefill').implement({
  fields: (t) => ({
    amount: t.field({ type: 'Coins', resolve: (r) => r.amount! }),
    intervalSeconds: t.int({ resolve: (r) => r.intervalSeconds }),
    nextRefillAt: t.field({ type: 'DateTime', resolve: (r) => r.nextRefillAt }),
  }),
});

/** A missing pool row reads as NOT_CONFIGURED, the state every new client starts in. */
export function poolView(pool: CoinPool | null): PoolView {
  return pool ?? { state: 'NOT_CONFIGURED', balance: null as never, capacity: null };
}

export function refillView(pool: CoinPool | null): RefillView | null {
  if (!pool || pool.state !== 'LIMITED' || !pool.refillAmount || !pool.refillIntervalSeconds) return null;
  const next = nextRefillAt(pool);
  return next ? { amount: pool.refillAmount, intervalSeconds: pool.refillIntervalSeconds, nextRefillAt: next } : null;
}

/** The settings of SetClientCoinPoolInput and SetUserCoinPoolInput: a user's pool follows a client's rules. */
export const coinPoolSettingFields = (f: InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>) => ({
  state: f.field({ type: CoinPoolStateEnum, required: true }),
  capacity: f.field({ type: 'Coins', description: 'LIMITED only: the most the pool can hold.' }),
  balance: f.field({
    type: 'Coins',
    description: 'LIMITED only: the balance now; defaults to what is left, or to capacity for a newly limited pool.',
  }),
  refillAmount: f.field({ type: 'Coins', description: 'LIMITED only: coins added every refillIntervalSeconds, up to capacity.' }),
  refillIntervalSeconds: f.int(),
});
