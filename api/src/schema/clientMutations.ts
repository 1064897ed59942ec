// What admins and managers change on a client: its existence, activity, managers, coin pool
// and model rules. Each answers with the client as it is afterwards.
import { db } from '../db/current.ts';
import { addClientManager, createClient, removeClientManager, setClientActive, updateClient } from '../domain/clients.ts';
import { setCoinPool } from '../domain/coinPools.ts';
import { setClientModelAccess } from '../domain/modelAccess.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { coinPoolSettingFields } from './coinPool.ts';
import { AccessSettingEnum } from './enums.ts';
import { ModelRef } from './model.ts';
import { UserRef } from './user.ts';

builder.relayMutationField(
  'createClient',
  { inputFields: (f) => ({ name: f.string({ required: true }) }) },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ client: await createClient(ctx.viewer!, input) }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'updateClient',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      name: f.string({ description: 'A new name, unique among active clients (compared case-insensitively). Omitted or null: unchanged.' }),
      description: f.string({ description: 'Omitted: unchanged; null or empty: cleared.' }),
    }),
  },
  {
    description: 'Admin only. Renames a client or sets its description.',
    authScopes: (_root, { input }) => ({ clientAction: { action: 'update', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => ({
      client: await updateClient(ctx.viewer!, input.clientId.id, { name: input.name, description: input.description }),
    }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'setClientActive',
  { inputFields: (f) => ({ clientId: f.globalID({ for: ClientRef, required: true }), active: f.boolean({ required: true }) }) },
  {
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setActive', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => ({ client: await setClientActive(ctx.viewer!, input.clientId.id, input.active) }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'addClientManager',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      userId: f.globalID({ for: UserRef, required: true }),
    }),
  },
  {
    authScopes: (_root, { input }) => ({ clientAction: { action: 'manageManagers', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => ({ client: await addClientManager(ctx.viewer!, input.clientId.id, input.userId.id) }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'removeClientManager',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      userId: f.globalID({ for: UserRef, required: true }),
    }),
  },
  {
    authScopes: (_root, { input }) => ({ clientAction: { action: 'manageManagers', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => ({ client: await removeClientManager(ctx.viewer!, input.clientId.id, input.userId.id) }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'setClientCoinPool',
  { inputFields: (f) => ({ clientId: f.globalID({ for: ClientRef, required: true }), ...coinPoolSettingFields(f) }) },
  {
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setCoinPool', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => {
      const { targetId } = await setCoinPool(ctx.viewer!, { clientId: input.clientId.id }, input);
      return { client: await db().client.findUniqueOrThrow({ where: { id: targetId } }) };
    },
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'setClientModelAccess',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      modelId: f.globalID({ for: ModelRef, required: true }),
      access: f.field({ type: AccessSettingEnum, required: true }),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      client: await setClientModelAccess(ctx.viewer!, input.clientId.id, input.modelId.id, input.access),
    }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);
