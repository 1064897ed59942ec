// Live usage: dashboards and the client page subscribe, and hear each metered
// request, key change or consent for the client as it happens.
import { db } from '../db/current.ts';
import { badInput } from '../domain/errors.ts';
import { modelAccessFor } from '../domain/modelAccess.ts';
import { ownerUsage } from '../domain/usage.ts';
import { subscribeOwnerChanges, type OwnerChangeEvent } from '../events/bus.ts';
import { ApiKeyRef } from './apiKey.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { CoinPoolRef, CoinRefillRef, poolView, refillView } from './coinPool.ts';
import { requireIdOf } from './ids.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { UsageRef } from './usage.ts';

const ClientChangeEnum = builder.enumType('ClientChange', {
  values: ['METERED', 'KEY_CREATED', 'KEY_REVOKED', 'CONSENT_GRANTED', 'POOL_CHANGED', 'ACCESS_CHANGED', 'REFILLED'] as const,
});

const ClientUsageEventRef = builder.objectRef<OwnerChangeEvent & { clientId: string }>('ClientUsageEvent').implement({
  description: 'What changed, with the figures as they are after the change.',
  fields: (t) => ({
    change: t.field({ type: ClientChangeEnum, resolve: (e) => e.change }),
    at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
    client: t.field({ type: ClientRef, resolve: (e) => db().client.findUniqueOrThrow({ where: { id: e.clientId } }) }),
    usage: t.field({ type: UsageRef, resolve: (e) => ownerUsage({ clientId: e.clientId }) }),
    coinPool: t.field({ type: CoinPoolRef, resolve: async (e) => poolView(await db().coinPool.findUnique({ where: { clientId: e.clientId } })) }),
    coinRefill: t.field({
      type: CoinRefillRef,
      nullable: true,
      resolve: async (e) => refillView(await db().coinPool.findUnique({ where: { clientId: e.clientId } })),
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      nullable: true,
      description: 'The key that was used, created or revoked.',
      resolve: (e) => (e.apiKeyId ? db().apiKey.findUnique({ where: { id: e.apiKeyId } }) : null),
    }),
    modelAccess: t.field({
      type: ModelAccessRef,
      nullable: true,
      description: 'The model that was used or consented to, with its updated usage.',
      resolve: (e) => (e.modelId ? modelAccessFor({ clientId: e.clientId }, e.modelId) : null),
    }),
  }),
});

builder.subscriptionType({});

builder.subscriptionField('clientUsage', (t) =>
  t.field({
    type: ClientUsageEventRef,
    args: { clientId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ clientAction: { action: 'view', clientId: args.clientId } }),
    subscribe: async (_root, args, ctx) => {
      const clientId = requireIdOf('Client', args.clientId, 'clientId');
      if (!(await ctx.permissions.clientExists(clientId))) throw badInput(`No client with id ${args.clientId}`, 'clientId');
      return subscribeOwnerChanges({ clientId, userId: null }) as AsyncIterable<OwnerChangeEvent & { clientId: string }>;
    },
    resolve: (event) => event,
  }),
);
