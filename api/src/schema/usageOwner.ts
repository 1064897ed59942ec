// What clients and users (personal keys) share: API keys, model access, usage, a coin pool
// and its refill. Written once here; Client and User only declare that they implement it.
// One interface also lets the admin UI render both with the same fragments.
import type { GraphQLResolveInfo } from 'graphql';
import { db } from '../db/current.ts';
import { apiKeyListWhere } from '../domain/apiKeys.ts';
import { listModelAccess } from '../domain/modelAccess.ts';
import { ownerWhere, type Owner } from '../domain/owner.ts';
import { ownerUsage } from '../domain/usage.ts';
import { builder } from './builder.ts';
import { CoinPoolRef, CoinRefillRef, poolView, refillView } from './coinPool.ts';
import type { Context } from './context.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { ownerPool } from './poolLoader.ts';
import { UsageRef } from './usage.ts';

/** A Client or User row: the object type the field is resolved on says which owner it is. */
type OwnerRow = { id: string };

// One owner object per row, so that the row's fields share one pool read (poolLoader.ts).
const owners = new WeakMap<OwnerRow, Owner>();
export function ownerOf(row: OwnerRow, info: GraphQLResolveInfo): Owner {
  let owner = owners.get(row);
  if (!owner) {
    switch (info.parentType.name) {
      case 'Client':
        owner = { clientId: row.id };
        break;
      case 'User':
        owner = { userId: row.id };
        break;
      default:
        throw new Error(`UsageOwner is not implemented by ${info.parentType.name}`);
    }
    owners.set(row, owner);
  }
  return owner;
}

/**
 * Who may read the owner fields. A client's are guarded by the Client type's own scope (its
 * managers and admins); a user's are personal data: theirs to see, and admins'.
 */
export const ownerDataScope = (row: OwnerRow, _args: unknown, ctx: Context, info: GraphQLResolveInfo) =>
  info.parentType.name !== 'User' || ctx.permissions.canActForUser(row.id);

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
      resolve: async (row, _args, _ctx, info) => poolView(await ownerPool(ownerOf(row, info))),
    }),
    coinRefill: t.field({
      type: CoinRefillRef,
      nullable: true,
      authScopes: ownerDataScope,
      resolve: async (row, _args, _ctx, info) => refillView(await ownerPool(ownerOf(row, info))),
    }),
  }),
});
