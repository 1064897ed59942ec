// API keys for /v1: listed with their counters, created with a secret shown once.
import { config } from '../config.ts';
import { createApiKey, findApiKey, revokeApiKey } from '../domain/apiKeys.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { toInt } from './usage.ts';
import { canSeeApiKey } from './visibility.ts';

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  authScopes: canSeeApiKey,
  // Checked once per key (isTypeOf) rather than before each of its fields: a page lists a hundred keys.
  runScopesOnType: true,
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
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When /v1 stops accepting the key (401 expired_api_key); null if it never expires.',
    }),
  }),
});

builder.queryField('apiKeyMaxDays', (t) =>
  t.int({
    nullable: true,
    authScopes: { loggedIn: true },
    description:
      "The longest lifetime of a new API key on this instance, in days (LUMEN_API_KEY_MAX_DAYS), which is also a new key's lifetime when createApiKey leaves out expiresAt; null: no limit, and keys never expire unless given expiresAt.",
    resolve: () => config().apiKeyMaxDays,
  }),
);

builder.relayMutationField(
  'createApiKey',
  {
    inputFields: (t) => ({
      clientId: t.globalID({ for: ClientRef, description: 'Leave out to create a personal key of your own.' }),
      name: t.string({ required: true, description: 'A label such as production, staging or ci-runner.' }),
      expiresAt: t.field({
        type: 'DateTime',
        description:
          'When the key stops working: in the future, and at most apiKeyMaxDays ahead when the instance sets a limit. Null or left out: apiKeyMaxDays ahead, or never when there is no limit.',
      }),
    }),
  },
  {
    authScopes: (_root, { input }) =>
      input.clientId == null ? { loggedIn: true } : { clientAction: { action: 'createApiKey', clientId: input.clientId.id } },
    resolve: async (_root, { input }, ctx) => {
      const owner = input.clientId == null ? { userId: ctx.viewer!.id } : { clientId: input.clientId.id };
      await ctx.countKeyCreation();
      return createApiKey(ctx.viewer!, owner, input);
    },
  },
  {
    outputFields: (t) => ({
      apiKey: t.expose('apiKey', { type: ApiKeyRef }),
      secret: t.exposeString('secret', { description: 'The key itself. Shown this once and never again: only its hash is kept.' }),
    }),
  },
);

builder.relayMutationField(
  'revokeApiKey',
  { inputFields: (f) => ({ id: f.globalID({ for: ApiKeyRef, required: true }) }) },
  {
    // Unknown ids pass here so that the resolver can say so (BAD_USER_INPUT).
    authScopes: async (_root, { input }, ctx) => {
      if (!ctx.viewer) return { loggedIn: true };
      const key = await findApiKey(input.id.id);
      return key ? ctx.permissions.canManageKey(key) : true;
    },
    resolve: async (_root, { input }, ctx) => ({ apiKey: await revokeApiKey(ctx.viewer!, input.id.id) }),
  },
  { outputFields: (t) => ({ apiKey: t.expose('apiKey', { type: ApiKeyRef }) }) },
);
