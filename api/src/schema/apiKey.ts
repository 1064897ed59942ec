// API keys for /v1: listed with their counters, created with a secret shown once.
import { createApiKey, findApiKey, revokeApiKey } from '../domain/apiKeys.ts';
import { consume } from '../http/rateLimits.ts';
import { builder } from './builder.ts';
import { requireIdOf } from './ids.ts';
import { toInt } from './usage.ts';
import { canSeeApiKey } from './visibility.ts';

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  authScopes: canSeeApiKey,
  fields: (t) => ({
    name: t.exposeString('name'),
    hint: t.exposeString('hint', { description: 'First 4 and last 4 characters of the secret, for recognising it.' }),
    active: t.boolean({ resolve: (key) => key.revokedAt === null }),
    requests: t.exposeInt('requests'),
    inputTokens: t.int({ resolve: (key) => toInt(key.inputTokens) }),
    outputTokens: t.int({ resolve: (key) => toInt(key.outputTokens) }),
    totalTokens: t.int({ resolve: (key) => toInt(key.inputTokens + key.outputTokens) }),
    coinsSpent: t.expose('coinsSpent', { type: 'Coins' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

/** One connection type for a client's and a user's keys. */
export const ApiKeyConnection = builder.connectionObject(
  {
    type: ApiKeyRef,
    name: 'ApiKeyConnection',
    fields: (t) => ({
      totalCount: t.int({ resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount }),
    }),
  },
  { name: 'ApiKeyEdge' },
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    clientId: t.id({ description: 'Leave out to create a personal key of your own.' }),
    name: t.string({ required: true, description: 'A label such as production, staging or ci-runner.' }),
  }),
});

const CreateApiKeyPayload = builder.simpleObject('CreateApiKeyPayload', {
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef }),
    secret: t.string({ description: 'The key itself. Shown this once and never again: only its hash is kept.' }),
  }),
});

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeyPayload,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    authScopes: (_root, { input }) =>
      input.clientId == null ? { loggedIn: true } : { clientAction: { action: 'createApiKey', clientId: input.clientId } },
    resolve: async (_root, { input }, ctx) => {
      const owner = input.clientId == null ? { userId: ctx.viewer!.id } : { clientId: requireIdOf('Client', input.clientId, 'clientId') };
      await consume('keyCreation', ctx.viewer!.id);
      return createApiKey(ctx.viewer!, owner, input);
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: builder.simpleObject('RevokeApiKeyPayload', { fields: (p) => ({ apiKey: p.field({ type: ApiKeyRef }) }) }),
    args: {
      input: t.arg({ type: builder.inputType('RevokeApiKeyInput', { fields: (f) => ({ id: f.id({ required: true }) }) }), required: true }),
    },
    // Unknown ids pass here so that the resolver can say so (BAD_USER_INPUT).
    authScopes: async (_root, { input }, ctx) => {
      if (!ctx.viewer) return { loggedIn: true };
      const key = await findApiKey(requireIdOf('ApiKey', input.id, 'id'));
      return key ? ctx.permissions.canManageKey(key) : true;
    },
    resolve: async (_root, { input }, ctx) => ({ apiKey: await revokeApiKey(ctx.viewer!, requireIdOf('ApiKey', input.id, 'id')) }),
  }),
);
