// What clients and users (personal keys) share: usage, a coin pool and its refill.
// One interface lets the admin UI render both with the same fragment.
import { builder } from './builder.ts';
import { CoinPoolRef, CoinRefillRef } from './coinPool.ts';
import { UsageRef } from './usage.ts';

export const UsageOwnerRef = builder.interfaceRef<{ id: string }>('UsageOwner').implement({
  description: 'Something that owns API keys and spends coins: a client, or a user with personal keys.',
  // Each implementing type resolves (and guards) these fields itself.
  fields: (t) => ({
    usage: t.field({ type: UsageRef, resolve: () => unreachable() }),
    coinPool: t.field({ type: CoinPoolRef, resolve: () => unreachable() }),
    coinRefill: t.field({ type: CoinRefillRef, nullable: true, resolve: () => unreachable() }),
  }),
});

function unreachable(): never {
  throw new Error('UsageOwner fields are resolved by the implementing type');
}
