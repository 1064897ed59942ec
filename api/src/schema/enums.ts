// The GraphQL enums, each built from its one source: Prisma's enums for stored values, the
// `as const` arrays in domain/ for the others. Only the descriptions are written here.
import { CALL_REFUSALS } from '../domain/callRefusal.ts';
import { CLIENT_CHANGES } from '../domain/ownerChanges.ts';
import { ACCESS_SETTINGS, MODEL_ACCESS_STATUSES } from '../domain/modelAccess.ts';
import { MODEL_HEALTH_STATUSES } from '../domain/modelHealth.ts';
import { AccessRule, CoinPoolState, ModelKind } from '../generated/prisma/enums.ts';
import { builder } from './builder.ts';

/** The values of a GraphQL enum, with a description for those that need one. */
function valuesOf<const Value extends string>(values: readonly Value[], descriptions: Partial<Record<Value, string>> = {}) {
  return Object.fromEntries(values.map((value) => [value, { description: descriptions[value] }])) as Record<
    Value,
    { description?: string }
  >;
}

export const CoinPoolStateEnum = builder.enumType('CoinPoolState', { values: valuesOf(Object.values(CoinPoolState)) });

export const AccessRuleEnum = builder.enumType('AccessRule', { values: valuesOf(Object.values(AccessRule)) });

export const ModelKindEnum = builder.enumType('ModelKind', {
  description: 'Which /v1 endpoint serves a model.',
  values: valuesOf(Object.values(ModelKind), {
    CHAT: 'POST /v1/chat/completions and the legacy POST /v1/completions.',
    EMBEDDING: 'POST /v1/embeddings.',
  }),
});

export const AccessSettingEnum = builder.enumType('AccessSetting', {
  description: "A client's rule for a model; DEFAULT follows the model's defaultAccess.",
  values: valuesOf(ACCESS_SETTINGS),
});

export const ModelAccessStatusEnum = builder.enumType('ModelAccessStatus', { values: valuesOf(MODEL_ACCESS_STATUSES) });

export const ModelCallRefusalEnum = builder.enumType('ModelCallRefusal', {
  description: "Why every call with the owner's keys to a model is refused now (ModelAccess.refusal).",
  values: valuesOf(CALL_REFUSALS, {
    MODEL_DISABLED: 'An admin disabled the model.',
    BLOCKED: 'The access rule (for personal keys, the model default) blocks it.',
    NEEDS_CONSENT: 'Consent must be given first.',
    NO_COIN_POOL: 'The owner has no coin pool, or it is NOT_CONFIGURED: an admin must set one up.',
    NO_COINS: 'The LIMITED pool is empty and no refill is due (the model is not free).',
  }),
});

export const ModelHealthStatusEnum = builder.enumType('ModelHealthStatus', {
  description: "A model's health from its recent upstream results (the Status column of the Model Access table).",
  values: valuesOf(MODEL_HEALTH_STATUSES, {
    OK: 'Recent requests succeeded (or there were none).',
    DEGRADED: 'Some recent requests failed or timed out, or the upstream answered with more tokens than it was allowed.',
    DOWN: "Most recent requests failed or timed out, or the model's upstreamKeyEnv is not an allowed variable.",
    DISABLED: 'An admin disabled the model.',
  }),
});

export const ClientChangeEnum = builder.enumType('ClientChange', {
  values: valuesOf(CLIENT_CHANGES, {
    KEY_EXPIRING:
      'The key (apiKey) expires within 7 days, or, sent again, within 1 day: see its expiresAt. Sent once for each, by one instance.',
    BUDGET_LOW:
      "The client's LIMITED pool fell below one of its budget alert thresholds (see Client.budgetAlerts); sent once per crossing, when it is recorded.",
    RESYNC: 'Events may have been missed (this instance lost Redis for a while): the figures are current; fetch everything again.',
  }),
});
