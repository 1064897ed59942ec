// The Model Access table: each model's status for a client (or the viewer), with usage.
import type { ModelAccessEntry } from '../domain/modelAccess.ts';
import { grantModelConsent, setClientModelAccess } from '../domain/modelAccess.ts';
import { NO_USAGE } from '../domain/usage.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { requireIdOf } from './ids.ts';
import { ModelRef } from './model.ts';
import { UsageRef } from './usage.ts';
import { exact } from '../domain/coins.ts';

export const ModelAccessStatusEnum = builder.enumType('ModelAccessStatus', {
  values: ['ALLOWED', 'BLOCKED', 'NEEDS_CONSENT', 'CONSENTED'] as const,
});

export const AccessSettingEnum = builder.enumType('AccessSetting', {
  description: "A client's rule for a model; DEFAULT follows the model's defaultAccess.",
  values: ['ALLOWED', 'BLOCKED', 'DEFAULT'] as const,
});

export const ModelAccessRef = builder.objectRef<ModelAccessEntry>('ModelAccess').implement({
  fields: (t) => ({
    model: t.field({ type: ModelRef, resolve: (e) => e.model }),
    status: t.field({ type: ModelAccessStatusEnum, resolve: (e) => e.status }),
    setting: t.field({ type: AccessSettingEnum, resolve: (e) => e.rule ?? 'DEFAULT' }),
    consentedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.consentedAt }),
    usage: t.field({
      type: UsageRef,
      resolve: (e) => (e.usage ? { ...e.usage, coinsSpent: exact(e.usage.coinsSpent) } : NO_USAGE),
    }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.usage?.lastUsedAt ?? null }),
  }),
});

const SetClientModelAccessInput = builder.inputType('SetClientModelAccessInput', {
  fields: (t) => ({
    clientId: t.id({ required: true }),
    modelId: t.id({ required: true }),
    access: t.field({ type: AccessSettingEnum, required: true }),
  }),
});

builder.mutationField('setClientModelAccess', (t) =>
  t.field({
    type: builder.simpleObject('SetClientModelAccessPayload', { fields: (p) => ({ client: p.field({ type: ClientRef }) }) }),
    args: { input: t.arg({ type: SetClientModelAccessInput, required: true }) },
    authScopes: { admin: true },
    resolve: async (_root, { input }, ctx) => ({
      client: await setClientModelAccess(
        ctx.viewer!,
        requireIdOf('Client', input.clientId, 'clientId'),
        requireIdOf('Model', input.modelId, 'modelId'),
        input.access,
      ),
    }),
  }),
);

const GrantModelConsentInput = builder.inputType('GrantModelConsentInput', {
  fields: (t) => ({
    clientId: t.id({ description: 'Leave out to consent for your own personal keys.' }),
    modelId: t.id({ required: true }),
  }),
});

builder.mutationField('grantModelConsent', (t) =>
  t.field({
    type: builder.simpleObject('GrantModelConsentPayload', { fields: (p) => ({ modelAccess: p.field({ type: ModelAccessRef }) }) }),
    args: { input: t.arg({ type: GrantModelConsentInput, required: true }) },
    authScopes: (_root, { input }) =>
      input.clientId == null ? { loggedIn: true } : { clientAction: { action: 'grantModelConsent', clientId: input.clientId } },
    resolve: async (_root, { input }, ctx) => {
      const owner = input.clientId == null ? { userId: ctx.viewer!.id } : { clientId: requireIdOf('Client', input.clientId, 'clientId') };
      return { modelAccess: await grantModelConsent(ctx.viewer!, owner, requireIdOf('Model', input.modelId, 'modelId')) };
    },
  }),
);
