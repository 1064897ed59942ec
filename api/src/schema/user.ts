// People, the viewer, and the viewer's personal keys and model access.
import { config } from '../config.ts';
import { db } from '../db/current.ts';
import { createUser, searchUsers, setUserActive, setUserAdmin, USER_LIST_ORDER, userListWhere } from '../domain/users.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { ClientRef } from './client.ts';
import { coinPoolSettingFields } from './coinPool.ts';
import { builder } from './builder.ts';
import { UsageOwnerRef } from './usageOwner.ts';
import { lastSignInOf, UserPermissionsRef } from './userAdmin.ts';
import { canSeeUser } from './visibility.ts';
import type { Context } from './context.ts';

/** A user's personal data (their clients, sign-ins, sessions, tokens): theirs to see, and admins'. */
export const personalDataScope = (user: { id: string }, _args: unknown, ctx: Context) => ctx.permissions.canActForUser(user.id);

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  interfaces: [UsageOwnerRef],
  authScopes: canSeeUser,
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name'),
    isAdmin: t.exposeBoolean('isAdmin'),
    active: t.exposeBoolean('active'),
    managedClients: t.field({
      type: [ClientRef],
      description: 'The clients this user manages (the user and admins see it).',
      authScopes: personalDataScope,
      select: { managedClients: { select: { client: true }, orderBy: [{ client: { name: 'asc' } }, { clientId: 'asc' }] } },
      resolve: (user) => user.managedClients.map((manager) => manager.client),
    }),
    lastSignInAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the user last signed in (a session was created); null if never. The user and admins see it.',
      authScopes: personalDataScope,
      resolve: (user, _args, ctx) => lastSignInOf(ctx, user.id),
    }),
    viewerCan: t.field({ type: UserPermissionsRef, resolve: (user) => user }),
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

builder.queryField('allUsers', (t) =>
  t.prismaConnection(
    {
      type: 'User',
      cursor: 'id',
      authScopes: { admin: true },
      description: 'Admin only. Every user, by name; search matches name or email.',
      args: { search: t.arg.string(), includeDeactivated: t.arg.boolean({ defaultValue: false }) },
      totalCount: (_root, args) => db().user.count({ where: userListWhere(args) }),
      resolve: (query, _root, args) => db().user.findMany({ ...query, where: userListWhere(args), orderBy: USER_LIST_ORDER }),
    },
    { name: 'UserConnection' },
    { name: 'UserEdge' },
  ),
);

builder.relayMutationField(
  'createUser',
  { inputFields: (f) => ({ email: f.string({ required: true }), name: f.string({ required: true }), isAdmin: f.boolean() }) },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ user: await createUser(ctx.viewer, { ...input, isAdmin: input.isAdmin ?? false }) }),
  },
  { outputFields: (t) => ({ user: t.expose('user', { type: UserRef }) }) },
);

builder.relayMutationField(
  'setUserActive',
  { inputFields: (f) => ({ userId: f.globalID({ for: UserRef, required: true }), active: f.boolean({ required: true }) }) },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ user: await setUserActive(ctx.viewer!, input.userId.id, input.active) }),
  },
  { outputFields: (t) => ({ user: t.expose('user', { type: UserRef }) }) },
);

builder.relayMutationField(
  'setUserAdmin',
  { inputFields: (f) => ({ userId: f.globalID({ for: UserRef, required: true }), admin: f.boolean({ required: true }) }) },
  {
    description:
      'Admin only. BAD_USER_INPUT for the last active admin, and (naming the group) when LUMEN_OIDC_ADMIN_GROUP decides who is admin.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      user: await setUserAdmin(ctx.viewer!, input.userId.id, input.admin, { adminGroup: config().oidc?.adminGroup ?? null }),
    }),
  },
  { outputFields: (t) => ({ user: t.expose('user', { type: UserRef }) }) },
);

const ViewerPermissionsRef = builder.objectRef<object>('ViewerPermissions').implement({
  description: 'Instance-wide things the viewer may do; the admin UI shows controls from these.',
  fields: (t) => ({
    createClient: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
    createModel: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
    manageUsers: t.boolean({ resolve: (_p, _a, ctx) => ctx.permissions.canAdminister() }),
    manageModels: t.boolean({
      description: 'Admins: the Models page with its edit controls.',
      resolve: (_p, _a, ctx) => ctx.permissions.canAdminister(),
    }),
  }),
});

builder.queryField('viewerCan', (t) => t.field({ type: ViewerPermissionsRef, authScopes: { loggedIn: true }, resolve: () => ({}) }));

builder.relayMutationField(
  'setUserCoinPool',
  {
    description: "The budget of a user's personal keys; the same rules as a client's pool.",
    inputFields: (f) => ({ userId: f.globalID({ for: UserRef, required: true }), ...coinPoolSettingFields(f) }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const { targetId } = await setCoinPool(ctx.viewer!, { userId: input.userId.id }, input);
      return { user: await db().user.findUniqueOrThrow({ where: { id: targetId } }) };
    },
  },
  { outputFields: (t) => ({ user: t.expose('user', { type: UserRef }) }) },
);
