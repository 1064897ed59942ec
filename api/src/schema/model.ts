// Models on offer, and the admin mutations that add and change them.
import { db } from '../db/current.ts';
import { modelHealth, recentResults, type RecentResults } from '../domain/modelHealth.ts';
import { createModel, PROVIDERS, updateModel } from '../domain/models.ts';
import { builder } from './builder.ts';
import { AccessRuleEnum, ModelHealthStatusEnum, ModelKindEnum } from './enums.ts';
import { requestsLast24Hours } from './modelRequestCounts.ts';
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
    kind: t.expose('kind', {
      type: ModelKindEnum,
      description: 'Which /v1 endpoint serves the model: chat (and completions) or embeddings.',
    }),
    upstreamModel: t.exposeString('upstreamModel', { authScopes: { admin: true } }),
    upstreamBaseUrl: t.exposeString('upstreamBaseUrl', {
      nullable: true,
      authScopes: { admin: true },
      description: "Admin only: the upstream's base URL (openai-compatible).",
    }),
    upstreamKeyEnv: t.exposeString('upstreamKeyEnv', {
      nullable: true,
      authScopes: { admin: true },
      description: 'Admin only: the name of the environment variable holding the upstream key (LUMEN_UPSTREAM_KEY_<NAME>); never the key.',
    }),
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
    clientsWithAccess: t.relation('accessRules', {
      authScopes: { admin: true },
      description: 'Admin only: the clients with an explicit access rule for this model, with the rule.',
      query: { orderBy: [{ client: { name: 'asc' } }, { clientId: 'asc' }] },
    }),
    requestsLast24Hours: t.int({
      authScopes: { admin: true },
      description: 'Requests to this model in the last 24 hours (admins see it).',
      resolve: (model, _args, ctx) => requestsLast24Hours(ctx, model.id),
    }),
    statusReason: t.string({
      nullable: true,
      description: 'Why the model is DOWN or DEGRADED, in words an admin can act on; null when it is OK or DISABLED.',
      resolve: async (model, _args, ctx) => modelHealth(model, (await recentResultsFor(ctx)).get(model.id)).reason,
    }),
  }),
});

builder.prismaObject('ClientModelAccess', {
  name: 'ModelClientAccess',
  description: "A client's explicit rule for a model (without one, the model's defaultAccess applies).",
  fields: (t) => ({
    client: t.relation('client'),
    rule: t.expose('access', { type: AccessRuleEnum }),
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
      kind: t.field({ type: ModelKindEnum, description: 'CHAT when omitted.' }),
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

builder.relayMutationField(
  'updateModel',
  {
    inputFields: (t) => ({
      modelId: t.globalID({ for: ModelRef, required: true }),
      name: t.string({ description: 'A new name: the model keeps its usage, consents and access rules.' }),
      provider: t.string({ description: `One of: ${PROVIDERS.join(', ')}` }),
      kind: t.field({ type: ModelKindEnum, description: 'Applies to requests admitted after the change.' }),
      upstreamModel: t.string(),
      upstreamBaseUrl: t.string({ description: 'Required for an openai-compatible model; null or empty clears it on another provider.' }),
      upstreamKeyEnv: t.string({
        description:
          'The name of the environment variable holding the upstream key; it must be named LUMEN_UPSTREAM_KEY_<NAME>. Null or empty clears it.',
      }),
      inputCoinsPerMillion: t.field({ type: 'Coins', description: 'Applies to requests admitted after the change.' }),
      outputCoinsPerMillion: t.field({ type: 'Coins', description: 'Applies to requests admitted after the change.' }),
      maxOutputTokens: t.int(),
      defaultAccess: t.field({ type: AccessRuleEnum }),
      needsConsent: t.boolean(),
      consentNotice: t.string({ description: 'Null or empty clears it (refused while needsConsent is true).' }),
      disabled: t.boolean({ description: 'A disabled model is refused (403 model_disabled) on every instance at once.' }),
    }),
  },
  {
    description:
      'Admin only. Changes any field of a model; omitted fields stay. Renaming keeps usage and access rules; a price change applies to requests admitted afterwards.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => {
      const { modelId, ...fields } = input;
      return { model: await updateModel(ctx.viewer!, modelId.id, fields) };
    },
  },
  { outputFields: (t) => ({ model: t.expose('model', { type: ModelRef }) }) },
);
