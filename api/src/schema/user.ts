// People, the viewer, and the viewer's personal keys and model access.
import { db } from '../db/current.ts';
import { apiKeyListWhere } from '../domain/apiKeys.ts';
import { createUser, searchUsers, setUserActive } from '../domain/users.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { CoinPoolStateEnum } from './coinPool.ts';
import { listModelAccess } from '../domain/modelAccess.ts';
import { ownerUsage } from '../domain/usage.ts';
import { ApiKeyConnection } from './apiKey.ts';
import { builder } from './builder.ts';
import { UsageOwnerRef } from './usageOwner.ts';
import { requireIdOf } from './ids.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { UsageRef } from './usage.ts';
import { canSeeUser } from './visibility.ts';
import { CoinPoolRef, CoinRefillRef, poolView, refillView } from './coinPool.ts';

/** Personal data of a user: theirs to see, and admins'. */
const selfOrAdmin = (user: { id: string }, _args: unknown, ctx: { permissions: { canActForUser(id: string): boolean } }) =>
  ctx.permissions.canActForUser(user.id);

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  interfaces: [UsageOwnerRef],
  authScopes: canSeeUser,
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    isAdmin: t.exposeBoolean('isAdmin'),
    active: t.exposeBoolean('active'),
    apiKeys: t.relatedConnection(
      'apiKeys',
      {
        cursor: 'id',
        description: 'Personal API keys.',
        authScopes: selfOrAdmin,
        args: { includeRevoked: t.arg.boolean({ defaultValue: false }), search: t.arg.string() },
        query: (args) => ({ where: apiKeyListWhere(args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        totalCount: true,
      },
      ApiKeyConnection,
    ),
    modelAccess: t.field({
      type: [ModelAccessRef],
      description: 'Models for personal keys, with consent status and usage.',
      authScopes: selfOrAdmin,
      resolve: (user) => listModelAccess({ userId: user.id }),
    }),
    usage: t.field({ type: UsageRef, authScopes: selfOrAdmin, resolve: (user) => ownerUsage({ userId: user.id }) }),
    coinPool: t.field({
      type: CoinPoolRef,
      description: "The budget of this user's personal keys.",
      authScopes: selfOrAdmin,
      select: { coinPool: true },
      resolve: (user) => poolView(user.coinPool),
    }),
    coinRefill: t.field({
      type: CoinRefillRef,
      nullable: true,
      authScopes: selfOrAdmin,
      select: { coinPool: true },
      resolve: (user) => refillView(user.coinPool),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.prismaField({
    type: 'User',
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => db().user.findUniqueOrThrow({ ...query, where: { id: ctx.viewer!.id } }),
  }),
);

builder.queryField('users', (t) =>
  t.prismaField({
    type: ['User'],
    authScopes: { admin: true },
    description: 'Active users whose name or email contains the search text (for the Add Manager dialog).',
    args: { search: t.arg.string({ required: true }), first: t.arg.int({ defaultValue: 10 }) },
    resolve: (_query, _root, args) => searchUsers(args.search, args.first ?? 10),
  }),
);

builder.mutationField('createUser', (t) =>
  t.field({
    type: builder.simpleObject('CreateUserPayload', { fields: (p) => ({ user: p.field({ type: UserRef }) }) }),
    args: {
      input: t.arg({
        type: builder.inputType('CreateUserInput', {
          fields: (f) => ({ email: f.string({ required: true }), name: f.string({ required: true }), isAdmin: f.boolean() }),
        }),
        required: true,
      }),
    },
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ user: await createUser(ctx.viewer, { ...input, isAdmin: input.isAdmin ?? false }) }),
  }),
);

builder.mutationField('setUserActive', (t) =>
  t.field({
    type: builder.simpleObject('SetUserActivePayload', { fields: (p) => ({ user: p.field({ type: UserRef }) }) }),
    args: {
      input: t.arg({
        type: builder.inputType('SetUserActiveInput', {
          fields: (f) => ({ userId: f.id({ required: true }), active: f.boolean({ required: true }) }),
        }),
        required: true,
      }),
    },
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      user: await setUserActive(ctx.viewer!, requireIdOf('User', input.userId, 'userId'), input.active),
    }),
  }),
);

const ViewerPermissionsRef = builder.objectRef<object>('ViewerPermissions').implement({
  description: 'Instance-wide things the viewer may do; the admin UI shows controls from these.',
  fields: (t) => ({
    createClient: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
    createModel: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
    manageUsers: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
  }),
});

builder.queryField('viewerCan', (t) => t.field({ type: ViewerPermissionsRef, authScopes: { loggedIn: true }, resolve: () => ({}) }));

const SetUserCoinPoolInput = builder.inputType('SetUserCoinPoolInput', {
  description: "The budget of a user's personal keys; the same rules as a client's pool.",
  fields: (f) => ({
    userId: f.id({ required: true }),
    state: f.field({ type: CoinPoolStateEnum, required: true }),
    capacity: f.field({ type: 'Coins' }),
    balance: f.field({ type: 'Coins' }),
    refillAmount: f.field({ type: 'Coins' }),
    refillIntervalSeconds: f.int(),
  }),
});

builder.mutationField('setUserCoinPool', (t) =>
  t.field({
    type: builder.simpleObject('SetUserCoinPoolPayload', { fields: (p) => ({ user: p.field({ type: UserRef }) }) }),
    args: { input: t.arg({ type: SetUserCoinPoolInput, required: true }) },
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const { targetId } = await setCoinPool(ctx.viewer!, { userId: requireIdOf('User', input.userId, 'userId') }, input);
      return { user: await db().user.findUniqueOrThrow({ where: { id: targetId } }) };
    },
  }),
);
