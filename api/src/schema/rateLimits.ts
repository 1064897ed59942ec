// Rate limits per minute on clients, users (their personal keys) and keys, with what the
// current window has counted; and the mutations that set them. The rules: domain/rateLimits.ts.
import { db } from '../db/current.ts';
import { findApiKey } from '../domain/apiKeys.ts';
import {
  keyScope,
  ownerScope,
  rateLimitStatus,
  setApiKeyRateLimits,
  setClientRateLimits,
  setUserRateLimits,
  type RateLimits,
  type RateLimitStatus,
} from '../domain/rateLimits.ts';
import { ApiKeyRef } from './apiKey.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { UserRef } from './user.ts';
import { ownerDataScope, ownerOf, UsageOwnerRef } from './usageOwner.ts';

export const RateLimitsRef = builder.objectRef<RateLimitStatus>('RateLimits').implement({
  description:
    'Limits per minute (null: none at this level) and what the current one-minute window has counted, as this instance or Redis knows it.',
  fields: (t) => ({
    requestsPerMinute: t.int({ nullable: true, resolve: (r) => r.requestsPerMinute }),
    tokensPerMinute: t.int({
      nullable: true,
      description: 'Input and output tokens; a request counts its worst case until it is settled.',
      resolve: (r) => r.tokensPerMinute,
    }),
    requests: t.int({ description: 'Requests counted in the current window.', resolve: async (r) => (await r.use()).requests }),
    tokens: t.int({ description: 'Tokens counted in the current window.', resolve: async (r) => (await r.use()).tokens }),
    resetsAt: t.field({ type: 'DateTime', description: 'When the current window ends.', resolve: async (r) => (await r.use()).resetsAt }),
  }),
});

/** A row's limits: the loaded row has them (a full row), without a promise; a partial one is read again. */
function limitsOfRow(row: { id: string }, table: 'client' | 'user' | 'apiKey'): RateLimits | Promise<RateLimits> {
  if ('requestsPerMinute' in row && 'tokensPerMinute' in row) return row as unknown as RateLimits;
  return readLimits(row.id, table);
}

async function readLimits(id: string, table: 'client' | 'user' | 'apiKey'): Promise<RateLimits> {
  const where = { where: { id }, select: { requestsPerMinute: true, tokensPerMinute: true } } as const;
  if (table === 'client') return db().client.findUniqueOrThrow(where);
  if (table === 'user') return db().user.findUniqueOrThrow(where);
  return db().apiKey.findUniqueOrThrow(where);
}

builder.interfaceField(UsageOwnerRef, 'rateLimits', (t) =>
  t.field({
    type: RateLimitsRef,
    description: "The limits of the owner's keys together (a user's: of their personal keys), and their current use.",
    authScopes: ownerDataScope,
    resolve: async (row, _args, _ctx, info) => {
      const owner = ownerOf(row, info);
      return rateLimitStatus(await limitsOfRow(row, owner.clientId ? 'client' : 'user'), ownerScope(owner));
    },
  }),
);

builder.objectField(ApiKeyRef, 'rateLimits', (t) =>
  t.field({
    type: RateLimitsRef,
    description: "The key's own limits (within its owner's), and its current use.",
    // Without a promise when the key's row is loaded whole, as in a list of keys.
    resolve: (key) => {
      const limits = limitsOfRow(key, 'apiKey');
      return limits instanceof Promise
        ? limits.then((l) => rateLimitStatus(l, keyScope(key.id)))
        : rateLimitStatus(limits, keyScope(key.id));
    },
  }),
);

const limitFields = {
  requestsPerMinute: 'Requests per minute; null: no limit at this level; omitted: unchanged.',
  tokensPerMinute: 'Input and output tokens per minute; null: no limit at this level; omitted: unchanged.',
};

builder.relayMutationField(
  'setClientRateLimits',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      requestsPerMinute: f.int({ description: limitFields.requestsPerMinute }),
      tokensPerMinute: f.int({ description: limitFields.tokensPerMinute }),
    }),
  },
  {
    description: "Admin only. The limits of all of a client's keys together.",
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setRateLimits', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => ({ client: await setClientRateLimits(ctx.viewer!, input.clientId.id, input) }),
  },
  { outputFields: (t) => ({ client: t.expose('client', { type: ClientRef }) }) },
);

builder.relayMutationField(
  'setUserRateLimits',
  {
    inputFields: (f) => ({
      userId: f.globalID({ for: UserRef, required: true }),
      requestsPerMinute: f.int({ description: limitFields.requestsPerMinute }),
      tokensPerMinute: f.int({ description: limitFields.tokensPerMinute }),
    }),
  },
  {
    description: "Admin only. The limits of all of a user's personal keys together.",
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ user: await setUserRateLimits(ctx.viewer!, input.userId.id, input) }),
  },
  { outputFields: (t) => ({ user: t.expose('user', { type: UserRef }) }) },
);

builder.relayMutationField(
  'setApiKeyRateLimits',
  {
    inputFields: (f) => ({
      apiKeyId: f.globalID({ for: ApiKeyRef, required: true }),
      requestsPerMinute: f.int({ description: limitFields.requestsPerMinute }),
      tokensPerMinute: f.int({ description: limitFields.tokensPerMinute }),
    }),
  },
  {
    description:
      "Whoever manages the key (admins and the client's managers; for a personal key, its user): the key's own limits, at most its owner's (BAD_USER_INPUT otherwise).",
    // Unknown ids pass here so that the resolver can say so (BAD_USER_INPUT).
    authScopes: async (_root, { input }, ctx) => {
      if (!ctx.viewer) return { loggedIn: true };
      const key = await findApiKey(input.apiKeyId.id);
      return key ? ctx.permissions.canManageKey(key) : true;
    },
    resolve: async (_root, { input }, ctx) => ({ apiKey: await setApiKeyRateLimits(ctx.viewer!, input.apiKeyId.id, input) }),
  },
  { outputFields: (t) => ({ apiKey: t.expose('apiKey', { type: ApiKeyRef }) }) },
);
