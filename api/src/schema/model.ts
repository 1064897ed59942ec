// Models on offer, and the admin mutation that adds one.
import { db } from '../db/current.ts';
import { modelHealth, recentResults, type RecentResults } from '../domain/modelHealth.ts';
import { createModel, PROVIDERS } from '../domain/models.ts';
import { builder } from './builder.ts';
import { AccessRuleEnum, ModelHealthStatusEnum } from './enums.ts';
import { canSeeModel } from './visibility.ts';

// One health query per GraphQL request, however many models it shows.
const healthByRequest = new WeakMap<object, Promise<Map<string, RecentResults>>>();
function recentResultsFor(ctx: object) {
  let results = healthByRequest.get(ctx);
  if (!results) {
    results = recentResults();
    healthByRequest.set(ctx, results);
  }
  return results;
}

export const ModelRef = builder.prismaNode('Model', {
  id: { field: 'id' },
  authScopes: canSeeModel,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What clients pass as "model" to /v1.' }),
    provider: t.exposeString('provider'),
    upstreamModel: t.exposeString('upstreamModel', { authScopes: { admin: true } }),
    inputCoinsPerMillion: t.expose('inputCoinsPerMillion', { type: 'Coins' }),
    outputCoinsPerMillion: t.expose('outputCoinsPerMillion', { type: 'Coins' }),
    maxOutputTokens: t.exposeInt('maxOutputTokens'),
    needsConsent: t.exposeBoolean('needsConsent'),
    consentNotice: t.exposeString('consentNotice', { nullable: true }),
    defaultAccess: t.expose('defaultAccess', { type: AccessRuleEnum }),
    disabled: t.exposeBoolean('disabled'),
    status: t.field({
      type: ModelHealthStatusEnum,
      // No `select`: the Model Access rows hand over whole models, and a select would make Pothos load each again.
      resolve: async (model, _args, ctx) => modelHealth(model, (await recentResultsFor(ctx)).get(model.id)).status,
    }),
    statusReason: t.string({
      nullable: true,
      description: 'Why the model is DOWN or DEGRADED, in words an admin can act on; null when it is OK or DISABLED.',
      resolve: async (model, _args, ctx) => modelHealth(model, (await recentResultsFor(ctx)).get(model.id)).reason,
    }),
  }),
});

builder.queryField('models', (t) =>
  t.prismaField({
    type: ['Model'],
    authScopes: { loggedIn: true },
    resolve: (query) => db().model.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
);

builder.relayMutationField(
  'createModel',
  {
    inputFields: (t) => ({
      name: t.string({ required: true }),
      provider: t.string({ required: true, description: `One of: ${PROVIDERS.join(', ')}` }),
      upstreamModel: t.string({ required: true }),
      upstreamBaseUrl: t.string(),
      upstreamKeyEnv: t.string({
        description: 'The name of the environment variable holding the upstream key; it must be named LUMEN_UPSTREAM_KEY_<NAME>.',
      }),
      inputCoinsPerMillion: t.field({ type: 'Coins', required: true }),
      outputCoinsPerMillion: t.field({ type: 'Coins', required: true }),
      maxOutputTokens: t.int(),
      needsConsent: t.boolean(),
      consentNotice: t.string(),
      defaultAccess: t.field({ type: AccessRuleEnum }),
    }),
  },
  {
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({ model: await createModel(ctx.viewer!, input) }),
  },
  { outputFields: (t) => ({ model: t.expose('model', { type: ModelRef }) }) },
);
