// Live usage: dashboards and the client page subscribe, and hear each metered
// request, key change or consent for the client as it happens; the Profile page
// does the same for the viewer's personal keys. Each lasts only while its viewer
// keeps access (domain/liveAccess.ts).
import { db } from '../db/current.ts';
import type { Credential } from '../domain/auth.ts';
import { badInput } from '../domain/errors.ts';
import { whileAllowed } from '../domain/liveAccess.ts';
import { modelAccessFor } from '../domain/modelAccess.ts';
import type { Owner } from '../domain/owner.ts';
import { ownerColumns } from '../domain/owner.ts';
import { ownerUsage } from '../domain/usage.ts';
import { subscribeOwnerChanges, type OwnerChangeEvent } from '../events/bus.ts';
import { ApiKeyRef } from './apiKey.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { CoinPoolRef, CoinRefillRef, poolView, refillView } from './coinPool.ts';
import type { Context } from './context.ts';
import { ClientChangeEnum } from './enums.ts';
import { globalIdOf } from './globalIds.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { ownerPool } from './poolLoader.ts';
import { UsageRef } from './usage.ts';
import { UserRef } from './user.ts';

/** What the subscriber signed in with, so that access is checked again while the subscription lasts. */
const credentialOf = (ctx: Context): Credential | null =>
  ctx.sessionHash
    ? { kind: 'session', hash: ctx.sessionHash }
    : ctx.accessTokenHash
      ? { kind: 'accessToken', hash: ctx.accessTokenHash }
      : null;

// One owner object per event, so that its fields share one pool read (poolLoader.ts).
const owners = new WeakMap<OwnerChangeEvent, Owner>();
function ownerOf(e: OwnerChangeEvent): Owner {
  let owner = owners.get(e);
  if (!owner) {
    owner = e.clientId ? { clientId: e.clientId } : { userId: e.userId! };
    owners.set(e, owner);
  }
  return owner;
}
const poolOf = (e: OwnerChangeEvent) => ownerPool(ownerOf(e));

/** The fields both events share: what changed, and the owner's figures after the change. */
const UsageEventRef = builder.interfaceRef<OwnerChangeEvent>('UsageEvent').implement({
  fields: (t) => ({
    change: t.field({ type: ClientChangeEnum, resolve: (e) => e.change }),
    requests: t.exposeInt('requests', {
      description:
        'METERED: how many requests this event covers. Settlements are written in batches, and each batch sends one event per owner, key and model it touched, with the figures after it; 0 for other changes.',
    }),
    at: t.field({ type: 'DateTime', resolve: (e) => new Date(e.at) }),
    usage: t.field({ type: UsageRef, resolve: (e) => ownerUsage(ownerOf(e)) }),
    coinPool: t.field({ type: CoinPoolRef, resolve: async (e) => poolView(await poolOf(e)) }),
    coinRefill: t.field({ type: CoinRefillRef, nullable: true, resolve: async (e) => refillView(await poolOf(e)) }),
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
      resolve: (e) => (e.modelId ? modelAccessFor(ownerOf(e), e.modelId) : null),
    }),
  }),
});

const ClientUsageEventRef = builder.objectRef<OwnerChangeEvent>('ClientUsageEvent').implement({
  description: 'What changed for a client, with its figures as they are after the change.',
  interfaces: [UsageEventRef],
  fields: (t) => ({
    client: t.field({ type: ClientRef, resolve: (e) => db().client.findUniqueOrThrow({ where: { id: e.clientId! } }) }),
  }),
});

const ViewerUsageEventRef = builder.objectRef<OwnerChangeEvent>('ViewerUsageEvent').implement({
  description: "What changed for the viewer's personal keys, with the figures after the change.",
  interfaces: [UsageEventRef],
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (e) => db().user.findUniqueOrThrow({ where: { id: e.userId! } }) }),
  }),
});

/**
 * The one mechanism behind clientUsage and viewerUsage: the owner's changes, for as long as
 * the subscriber keeps access to them (checked again on the way, domain/liveAccess.ts).
 */
function watchOwner(owner: Owner, ctx: Context) {
  return whileAllowed(subscribeOwnerChanges(ownerColumns(owner)), {
    viewerId: ctx.viewer!.id,
    credential: credentialOf(ctx),
    clientId: owner.clientId,
  });
}

builder.subscriptionType({});

builder.subscriptionField('clientUsage', (t) =>
  t.field({
    type: ClientUsageEventRef,
    args: { clientId: t.arg.globalID({ for: ClientRef, required: true }) },
    authScopes: (_root, args) => ({ clientAction: { action: 'view', clientId: args.clientId.id } }),
    subscribe: async (_root, args, ctx) => {
      const clientId = args.clientId.id;
      if (!(await ctx.permissions.clientExists(clientId)))
        throw badInput(`No client with id ${globalIdOf('Client', clientId)}`, 'clientId');
      return watchOwner({ clientId }, ctx);
    },
    resolve: (event) => event,
  }),
);

builder.subscriptionField('viewerUsage', (t) =>
  t.field({
    type: ViewerUsageEventRef,
    authScopes: { loggedIn: true },
    subscribe: (_root, _args, ctx) => watchOwner({ userId: ctx.viewer!.id }, ctx),
    resolve: (event) => event,
  }),
);
