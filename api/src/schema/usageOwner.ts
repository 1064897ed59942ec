// What clients and users (personal keys) share: API keys, model access, usage, a coin pool
// and its refill. Written once here; Client and User only declare that they implement it.
// One interface also lets the admin UI render both with the same fragments.
import type { GraphQLResolveInfo } from 'graphql';
import { db } from '../db/current.ts';
import { apiKeyListWhere } from '../domain/apiKeys.ts';
import { listModelAccess } from '../domain/modelAccess.ts';
import { ownerWhere, type Owner } from '../domain/owner.ts';
import { ownerUsage } from '../domain/usage.ts';
import type { CoinPool } from '../generated/prisma/client.ts';
import { builder } from './builder.ts';
import { CoinPoolRef, CoinRefillRef, poolView, refillView } from './coinPool.ts';
import type { Context } from './context.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { UsageRef } from './usage.ts';

/** A Client or User row: the object type the field is resolved on says which owner it is. */
type OwnerRow = { id: string };

function ownerOf(row: OwnerRow, info: GraphQLResolveInfo): Owner {
  switch (info.parentType.name) {
    case 'Client':
      return { clientId: row.id };
    case 'User':
      return { userId: row.id };
    default:
      throw new Error(`UsageOwner is not implemented by ${info.parentType.name}`);
  }
}

/**
 * Who may read the owner fields. A client's are guarded by the Client type's own scope (its
 * managers and admins); a user's are personal data: theirs to see, and admins'.
 */
const ownerDataScope = (row: OwnerRow, _args: unknown, ctx: Context, info: GraphQLResolveInfo) =>
  info.parentType.name !== 'User' || ctx.permissions.canActForUser(row.id);

// coinPool and coinRefill read the same pool: one look-up per owner row. Keyed by the row (not the
// request) because a subscription's context outlives many events, each of which must read afresh.
// findUnique, so that Prisma batches the look-ups for a list of owners into one statement.
const poolsByRow = new WeakMap<OwnerRow, Promise<CoinPool | null>>();
function poolOf(row: OwnerRow, info: GraphQLResolveInfo): Promise<CoinPool | null> {
  let pool = poolsByRow.get(row);
  if (!pool) {
    pool = db().coinPool.findUnique({ where: ownerWhere(ownerOf(row, info)) });
    poolsByRow.set(row, pool);
  }
  return pool;
}

export const UsageOwnerRef = builder.interfaceRef<OwnerRow>('UsageOwner').implement({
  description: 'Something that owns API keys and spends coins: a client, or a user with personal keys.',
  fields: (t) => ({
    apiKeys: t.prismaConnection(
      {
        type: 'ApiKey',
        cursor: 'id',
        description: "The owner's API keys: a client's keys, or a user's personal API keys.",
        authScopes: ownerDataScope,
        args: { includeRevoked: t.arg.boolean({ defaultValue: false }), search: t.arg.string() },
        totalCount: (row, args, _ctx, info) =>
          db().apiKey.count({ where: { ...ownerWhere(ownerOf(row, info)), ...apiKeyListWhere(args) } }),
        resolve: (query, row, args, _ctx, info) =>
          db().apiKey.findMany({
            ...query,
            where: { ...ownerWhere(ownerOf(row, info)), ...apiKeyListWhere(args) },
            orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          }),
      },
      { name: 'ApiKeyConnection' },
      { name: 'ApiKeyEdge' },
    ),
    modelAccess: t.field({
      type: [ModelAccessRef],
      description: "Models for the owner's keys, with consent status and usage.",
      authScopes: ownerDataScope,
      resolve: (row, _args, _ctx, info) => listModelAccess(ownerOf(row, info)),
    }),
    usage: t.field({ type: UsageRef, authScopes: ownerDataScope, resolve: (row, _args, _ctx, info) => ownerUsage(ownerOf(row, info)) }),
    coinPool: t.field({
      type: CoinPoolRef,
      description: "The budget of the owner's keys (a user's: of their personal keys).",
      authScopes: ownerDataScope,
      resolve: async (row, _args, _ctx, info) => poolView(await poolOf(row, info)),
    }),
    coinRefill: t.field({
      type: CoinRefillRef,
      nullable: true,
      authScopes: ownerDataScope,
      resolve: async (row, _args, _ctx, info) => refillView(await poolOf(row, info)),
    }),
  }),
});
