// Clients: the heart of the admin page. Seeing a client, and everything under it,
// needs the viewer to manage it or be an admin (the type's auth scope).
import { db } from '../db/current.ts';
import { apiKeyListWhere } from '../domain/apiKeys.ts';
import { addClientManager, createClient, removeClientManager, setClientActive, visibleClientsWhere } from '../domain/clients.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { listModelAccess } from '../domain/modelAccess.ts';
import type { ClientAction } from '../domain/permissions.ts';
import { ownerUsage } from '../domain/usage.ts';
import { ApiKeyConnection } from './apiKey.ts';
import { builder } from './builder.ts';
import { UsageOwnerRef } from './usageOwner.ts';
import { CoinPoolRef, CoinPoolStateEnum, CoinRefillRef, poolView, refillView } from './coinPool.ts';
import { idOf, requireIdOf } from './ids.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { UsageRef } from './usage.ts';
import { canSeeClient } from './visibility.ts';

export const ClientRef = builder.prismaNode('Client', {
  id: { field: 'id' },
  interfaces: [UsageOwnerRef],
  authScopes: canSeeClient,
  fields: (t) => ({
    name: t.exposeString('name'),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    usage: t.field({ type: UsageRef, resolve: (client) => ownerUsage({ clientId: client.id }) }),
    coinPool: t.field({ type: CoinPoolRef, select: { coinPool: true }, resolve: (client) => poolView(client.coinPool) }),
    coinRefill: t.field({
      type: CoinRefillRef,
      nullable: true,
      select: { coinPool: true },
      resolve: (client) => refillView(client.coinPool),
    }),
    managers: t.relation('managers', { query: { orderBy: { addedAt: 'asc' } } }),
    apiKeys: t.relatedConnection(
      'apiKeys',
      {
        cursor: 'id',
        args: { includeRevoked: t.arg.boolean({ defaultValue: false }), search: t.arg.string() },
        query: (args) => ({ where: apiKeyListWhere(args), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
        totalCount: true,
      },
      ApiKeyConnection,
    ),
    modelAccess: t.field({ type: [ModelAccessRef], resolve: (client) => listModelAccess({ clientId: client.id }) }),
    viewerCan: t.field({ type: ClientPermissionsRef, resolve: (client) => ({ clientId: client.id, active: client.active }) }),
  }),
});

builder.prismaObject('ClientManager', {
  name: 'Manager',
  fields: (t) => ({
    user: t.relation('user'),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
  }),
});

const permission = (action: ClientAction) => ({
  resolve: (parent: { clientId: string }, _args: object, ctx: { permissions: { can(a: ClientAction, id: string): Promise<boolean> } }) =>
    ctx.permissions.can(action, parent.clientId),
});

const ClientPermissionsRef = builder.objectRef<{ clientId: string; active: boolean }>('ClientPermissions').implement({
  description: 'What the viewer may do to this client; the admin UI shows controls from these, never from roles.',
  fields: (t) => ({
    createApiKey: t.boolean({
      description: 'False for a deactivated client too: a key for it could not be used.',
      resolve: async (parent, _args, ctx) => parent.active && (await ctx.permissions.can('createApiKey', parent.clientId)),
    }),
    revokeApiKey: t.boolean(permission('revokeApiKey')),
    grantModelConsent: t.boolean(permission('grantModelConsent')),
    manageManagers: t.boolean(permission('manageManagers')),
    setActive: t.boolean(permission('setActive')),
    setCoinPool: t.boolean(permission('setCoinPool')),
    setModelAccess: t.boolean(permission('setModelAccess')),
  }),
});

builder.queryField('client', (t) =>
  t.prismaField({
    type: 'Client',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    description: 'The client, or null when it does not exist or the viewer may not see it.',
    resolve: async (query, _root, args, ctx) => {
      const id = idOf('Client', args.id);
      if (!id || !(await ctx.permissions.can('view', id))) return null;
      return db().client.findUnique({ ...query, where: { id } });
    },
  }),
);

builder.queryField('clients', (t) =>
  t.prismaConnection(
    {
      type: 'Client',
      cursor: 'id',
      authScopes: { loggedIn: true },
      args: { search: t.arg.string() },
      totalCount: (_root, args, ctx) => db().client.count({ where: visibleClientsWhere(ctx.viewer!, args.search) }),
      resolve: (query, _root, args, ctx) =>
        db().client.findMany({ ...query, where: visibleClientsWhere(ctx.viewer!, args.search), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    },
    { name: 'ClientConnection' },
    { name: 'ClientEdge' },
  ),
);

const clientPayload = (name: string) => builder.simpleObject(name, { fields: (t) => ({ client: t.field({ type: ClientRef }) }) });

builder.mutationField('createClient', (t) =>
  t.field({
    type: clientPayload('CreateClientPayload'),
    args: {
      input: t.arg({
        type: builder.inputType('CreateClientInput', { fields: (f) => ({ name: f.string({ required: true }) }) }),
        required: true,
      }),
    },
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ client: await createClient(ctx.viewer!, input) }),
  }),
);

builder.mutationField('setClientActive', (t) =>
  t.field({
    type: clientPayload('SetClientActivePayload'),
    args: {
      input: t.arg({
        type: builder.inputType('SetClientActiveInput', {
          fields: (f) => ({ clientId: f.id({ required: true }), active: f.boolean({ required: true }) }),
        }),
        required: true,
      }),
    },
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setActive', clientId: input.clientId } }),
    resolve: async (_root, { input }, ctx) => ({
      client: await setClientActive(ctx.viewer!, requireIdOf('Client', input.clientId, 'clientId'), input.active),
    }),
  }),
);

const ClientManagerInput = (name: string) =>
  builder.inputType(name, { fields: (f) => ({ clientId: f.id({ required: true }), userId: f.id({ required: true }) }) });

builder.mutationField('addClientManager', (t) =>
  t.field({
    type: clientPayload('AddClientManagerPayload'),
    args: { input: t.arg({ type: ClientManagerInput('AddClientManagerInput'), required: true }) },
    authScopes: (_root, { input }) => ({ clientAction: { action: 'manageManagers', clientId: input.clientId } }),
    resolve: async (_root, { input }, ctx) => ({
      client: await addClientManager(
        ctx.viewer!,
        requireIdOf('Client', input.clientId, 'clientId'),
        requireIdOf('User', input.userId, 'userId'),
      ),
    }),
  }),
);

builder.mutationField('removeClientManager', (t) =>
  t.field({
    type: clientPayload('RemoveClientManagerPayload'),
    args: { input: t.arg({ type: ClientManagerInput('RemoveClientManagerInput'), required: true }) },
    authScopes: (_root, { input }) => ({ clientAction: { action: 'manageManagers', clientId: input.clientId } }),
    resolve: async (_root, { input }, ctx) => ({
      client: await removeClientManager(
        ctx.viewer!,
        requireIdOf('Client', input.clientId, 'clientId'),
        requireIdOf('User', input.userId, 'userId'),
      ),
    }),
  }),
);

export const SetClientCoinPoolInput = builder.inputType('SetClientCoinPoolInput', {
  fields: (f) => ({
    clientId: f.id({ required: true }),
    state: f.field({ type: CoinPoolStateEnum, required: true }),
    capacity: f.field({ type: 'Coins', description: 'LIMITED only: the most the pool can hold.' }),
    balance: f.field({
      type: 'Coins',
      description: 'LIMITED only: the balance now; defaults to what is left, or to capacity for a newly limited pool.',
    }),
    refillAmount: f.field({ type: 'Coins', description: 'LIMITED only: coins added every refillIntervalSeconds, up to capacity.' }),
    refillIntervalSeconds: f.int(),
  }),
});

builder.mutationField('setClientCoinPool', (t) =>
  t.field({
    type: clientPayload('SetClientCoinPoolPayload'),
    args: { input: t.arg({ type: SetClientCoinPoolInput, required: true }) },
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setCoinPool', clientId: input.clientId } }),
    resolve: async (_root, { input }, ctx) => {
      const { targetId } = await setCoinPool(ctx.viewer!, { clientId: requireIdOf('Client', input.clientId, 'clientId') }, input);
      return { client: await db().client.findUniqueOrThrow({ where: { id: targetId } }) };
    },
  }),
);
