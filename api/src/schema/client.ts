// Clients: the heart of the admin page. Seeing a client, and everything under it,
// needs the viewer to manage it or be an admin (the type's auth scope).
import { db } from '../db/current.ts';
import { visibleClientsWhere } from '../domain/clients.ts';
import type { ClientAction } from '../domain/permissions.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { UsageOwnerRef } from './usageOwner.ts';
import { NULL_FOR_BAD_ID } from './globalIdInput.ts';
import { canSeeClient } from './visibility.ts';

export const ClientRef = builder.prismaNode('Client', {
  id: { field: 'id' },
  interfaces: [UsageOwnerRef],
  authScopes: canSeeClient,
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true, description: "What the client is for, in the admins' words." }),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    managers: t.relation('managers', { query: { orderBy: { addedAt: 'asc' } } }),
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
  resolve: (parent: { clientId: string }, _args: object, ctx: Context) => ctx.permissions.can(action, parent.clientId),
});

const ClientPermissionsRef = builder.objectRef<{ clientId: string; active: boolean }>('ClientPermissions').implement({
  description: 'What the viewer may do to this client; the admin UI shows controls from these, never from roles.',
  fields: (t) => ({
    createApiKey: t.boolean({
      description: 'False for a deactivated client too: a key for it could not be used.',
      resolve: (parent, _args, ctx) => parent.active && ctx.permissions.can('createApiKey', parent.clientId),
    }),
    revokeApiKey: t.boolean(permission('revokeApiKey')),
    grantModelConsent: t.boolean(permission('grantModelConsent')),
    manageManagers: t.boolean(permission('manageManagers')),
    setActive: t.boolean(permission('setActive')),
    setCoinPool: t.boolean(permission('setCoinPool')),
    setModelAccess: t.boolean(permission('setModelAccess')),
    setRateLimits: t.boolean({ ...permission('setRateLimits'), description: "Admins: the limits of all the client's keys together." }),
    update: t.boolean({ ...permission('update'), description: 'Admins: rename and describe the client.' }),
    setBudgetAlerts: t.boolean({
      ...permission('setBudgetAlerts'),
      description: "Admins and the client's managers: its budget alert webhook.",
    }),
  }),
});

builder.queryField('client', (t) =>
  t.prismaField({
    type: 'Client',
    nullable: true,
    args: { id: t.arg.globalID({ for: ClientRef, required: true }) },
    description: 'The client, or null when it does not exist or the viewer may not see it.',
    // A malformed id, or one of another type, answers null too, as node(id) does.
    extensions: { [NULL_FOR_BAD_ID]: true },
    resolve: (query, _root, args, ctx) =>
      ctx.permissions.viewableClient(args.id.id, (where) => db().client.findUnique({ ...query, where })),
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
