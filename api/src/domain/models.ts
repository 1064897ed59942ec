// The models a center offers, with their prices in coins per million tokens: created
// and changed by admins, with the same checks on every field either way.
import { db, type Tx } from '../db/current.ts';
import { publishInvalidation } from '../events/bus.ts';
import type { AccessRule, Model, ModelKind } from '../generated/prisma/client.ts';
import { recordAudit } from './audit.ts';
import { exact, parseCoins, PRICE_SCALE, requireNonNegative } from './coins.ts';
import { badInput } from './errors.ts';
import { isUuid, requireName, requireWholeNumber } from './input.ts';
import { isAllowedUpstreamKeyEnv, UPSTREAM_KEY_ENV_RULE } from './upstreamKeys.ts';
import type { Viewer } from './viewer.ts';

/** The names Model.provider may hold; providers/index.ts maps each to its implementation. */
export const PROVIDERS = ['echo', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

export interface CreateModelInput {
  name: string;
  provider: string;
  /** CHAT (the default) or EMBEDDING: which /v1 endpoint serves the model. */
  kind?: ModelKind | null;
  upstreamModel: string;
  upstreamBaseUrl?: string | null;
  upstreamKeyEnv?: string | null;
  inputCoinsPerMillion: string;
  outputCoinsPerMillion: string;
  maxOutputTokens?: number | null;
  needsConsent?: boolean | null;
  consentNotice?: string | null;
  defaultAccess?: AccessRule | null;
}

/** Any field of createModel, and `disabled`. Omitted (or null, for fields a model cannot be without) fields stay. */
export type UpdateModelInput = { [K in keyof CreateModelInput]?: CreateModelInput[K] | null } & { disabled?: boolean | null };

export async function requireModel(tx: Tx, id: string, field = 'modelId') {
  const model = isUuid(id) ? await tx.model.findUnique({ where: { id } }) : null;
  if (!model) throw badInput(`No model with id ${id}`, field);
  return model;
}

// One check per field, shared by createModel and updateModel.

function checkName(value: string): string {
  const name = requireName(value, 'name', 200);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(name)) {
    throw badInput('name may contain letters, digits and . _ : / @ - only (it is what clients pass as "model")', 'name');
  }
  return name;
}

function checkProvider(value: string): ProviderName {
  if (!PROVIDERS.includes(value as ProviderName)) throw badInput(`provider must be one of: ${PROVIDERS.join(', ')}`, 'provider');
  return value as ProviderName;
}

function checkBaseUrl(value: string | null | undefined): string {
  try {
    const url = new URL(String(value ?? ''));
    if (!['http:', 'https:'].includes(url.protocol)) throw new Error();
    return url.toString().replace(/\/+$/, '');
  } catch {
    throw badInput(
      'upstreamBaseUrl must be an http(s) URL such as https://api.openai.com/v1 for an openai-compatible model',
      'upstreamBaseUrl',
    );
  }
}

function checkKeyEnv(value: string | null | undefined): string | null {
  if (value == null || value === '') return null;
  if (!/^[A-Z_][A-Z0-9_]*$/.test(value)) {
    throw badInput(
      'upstreamKeyEnv is the NAME of an environment variable (such as LUMEN_UPSTREAM_KEY_OPENAI), never the key itself',
      'upstreamKeyEnv',
    );
  }
  if (!isAllowedUpstreamKeyEnv(value)) {
    throw badInput(
      `upstreamKeyEnv ${value} is not allowed: ${UPSTREAM_KEY_ENV_RULE}, so that no other variable of the server (LUMEN_SECRET, DATABASE_URL, ...) can be sent to an upstream`,
      'upstreamKeyEnv',
    );
  }
  return value;
}

/** A price as the column stores it: a non-negative decimal with at most PRICE_SCALE places. */
function checkPrice(value: string, field: 'inputCoinsPerMillion' | 'outputCoinsPerMillion'): string {
  return requireNonNegative(parseCoins(value, field, PRICE_SCALE), field).toFixed();
}

const checkMaxOutputTokens = (value: number) => requireWholeNumber(value, 'maxOutputTokens', 1, 10_000_000);

function checkConsentNotice(value: string | null | undefined): string | null {
  const notice = value?.trim() || null;
  if (notice && notice.length > 10_000) throw badInput('consentNotice can be at most 10000 characters long', 'consentNotice');
  return notice;
}

/** The rules between fields, checked on the model as it would be stored. */
function checkWhole(model: Pick<Model, 'needsConsent' | 'consentNotice'>) {
  if (model.needsConsent && !model.consentNotice)
    throw badInput('consentNotice is required when needsConsent is true: it is what people agree to', 'consentNotice');
}

async function requireFreeName(tx: Tx, name: string, exceptId?: string) {
  const taken = await tx.model.findUnique({ where: { name }, select: { id: true } });
  if (taken && taken.id !== exceptId) throw badInput(`A model named ${name} already exists`, 'name');
}

export async function createModel(actor: Viewer, input: CreateModelInput) {
  const name = checkName(input.name);
  const provider = checkProvider(input.provider);
  const upstreamModel = requireName(input.upstreamModel, 'upstreamModel', 200);
  const openai = provider === 'openai-compatible';
  const upstreamBaseUrl = openai ? checkBaseUrl(input.upstreamBaseUrl) : null;
  const upstreamKeyEnv = openai ? checkKeyEnv(input.upstreamKeyEnv) : null;
  const inputCoinsPerMillion = checkPrice(input.inputCoinsPerMillion, 'inputCoinsPerMillion');
  const outputCoinsPerMillion = checkPrice(input.outputCoinsPerMillion, 'outputCoinsPerMillion');
  const maxOutputTokens = checkMaxOutputTokens(input.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS);
  const needsConsent = input.needsConsent ?? false;
  const consentNotice = checkConsentNotice(input.consentNotice);
  checkWhole({ needsConsent, consentNotice });
  return db().$transaction(async (tx) => {
    await requireFreeName(tx, name);
    const model = await tx.model.create({
      data: {
        name,
        provider,
        kind: input.kind ?? 'CHAT',
        upstreamModel,
        upstreamBaseUrl,
        upstreamKeyEnv,
        inputCoinsPerMillion,
        outputCoinsPerMillion,
        maxOutputTokens,
        needsConsent,
        consentNotice,
        defaultAccess: input.defaultAccess ?? 'ALLOWED',
      },
    });
    await recordAudit(tx, actor, 'model.create', { type: 'Model', id: model.id }, { name, provider: model.provider, kind: model.kind });
    return model;
  });
}

type ModelChanges = Partial<
  Pick<
    Model,
    | 'name'
    | 'provider'
    | 'kind'
    | 'upstreamModel'
    | 'upstreamBaseUrl'
    | 'upstreamKeyEnv'
    | 'maxOutputTokens'
    | 'needsConsent'
    | 'consentNotice'
    | 'defaultAccess'
    | 'disabled'
  > & { inputCoinsPerMillion: string; outputCoinsPerMillion: string }
>;

/** The given fields, each checked on its own: null leaves a field a model cannot be without as it is, and clears one it can. */
function checkedChanges(input: UpdateModelInput): ModelChanges {
  const changes: ModelChanges = {};
  if (input.name != null) changes.name = checkName(input.name);
  if (input.provider != null) changes.provider = checkProvider(input.provider);
  if (input.kind != null) changes.kind = input.kind;
  if (input.upstreamModel != null) changes.upstreamModel = requireName(input.upstreamModel, 'upstreamModel', 200);
  if (input.upstreamBaseUrl !== undefined) changes.upstreamBaseUrl = input.upstreamBaseUrl || null; // checked with the provider below
  if (input.upstreamKeyEnv !== undefined) changes.upstreamKeyEnv = checkKeyEnv(input.upstreamKeyEnv);
  if (input.inputCoinsPerMillion != null) changes.inputCoinsPerMillion = checkPrice(input.inputCoinsPerMillion, 'inputCoinsPerMillion');
  if (input.outputCoinsPerMillion != null) changes.outputCoinsPerMillion = checkPrice(input.outputCoinsPerMillion, 'outputCoinsPerMillion');
  if (input.maxOutputTokens != null) changes.maxOutputTokens = checkMaxOutputTokens(input.maxOutputTokens);
  if (input.needsConsent != null) changes.needsConsent = input.needsConsent;
  if (input.consentNotice !== undefined) changes.consentNotice = checkConsentNotice(input.consentNotice);
  if (input.defaultAccess != null) changes.defaultAccess = input.defaultAccess;
  if (input.disabled != null) changes.disabled = input.disabled;
  return changes;
}

/** The stored value of a field, in the form checkedChanges gives (prices as canonical decimal text). */
function storedValue(model: Model, field: keyof ModelChanges): unknown {
  if (field === 'inputCoinsPerMillion' || field === 'outputCoinsPerMillion') return exact(model[field]).toFixed();
  return model[field];
}

/**
 * Changes the given fields of a model; the others stay. The model keeps its id, so a
 * rename keeps its usage, consents and access rules. Requests take the model (and its
 * prices) when they are admitted, so a price change applies to requests admitted
 * afterwards. Every instance's /v1 cache is emptied, so a disabled model is refused everywhere at once.
 */
export async function updateModel(actor: Viewer, modelId: string, input: UpdateModelInput) {
  const changes = checkedChanges(input);
  const result = await db().$transaction(async (tx) => {
    const model = await requireModel(tx, modelId);
    const provider = changes.provider ?? model.provider;
    if (provider === 'openai-compatible') {
      // An upstream URL is required, checked whether it changes now or the provider does.
      if (changes.upstreamBaseUrl !== undefined || changes.provider !== undefined)
        changes.upstreamBaseUrl = checkBaseUrl(changes.upstreamBaseUrl !== undefined ? changes.upstreamBaseUrl : model.upstreamBaseUrl);
    } else {
      // Only openai-compatible models have an upstream of their own (as createModel stores it).
      changes.upstreamBaseUrl = null;
      changes.upstreamKeyEnv = null;
    }
    checkWhole({ ...model, ...changes });
    const changed = (Object.keys(changes) as (keyof ModelChanges)[]).filter((field) => changes[field] !== storedValue(model, field));
    if (changed.length === 0) return { model, changed };
    if (changes.name !== undefined && changed.includes('name')) await requireFreeName(tx, changes.name, model.id);
    const updated = await tx.model.update({
      where: { id: model.id },
      data: Object.fromEntries(changed.map((field) => [field, changes[field]])),
    });
    await recordAudit(
      tx,
      actor,
      'model.update',
      { type: 'Model', id: model.id },
      {
        name: updated.name,
        changes: Object.fromEntries(changed.map((field) => [field, { from: storedValue(model, field), to: changes[field] }])),
      },
    );
    return { model: updated, changed };
  });
  // /v1 caches models with each key (by name, with prices and the disabled flag): every instance drops its cache.
  if (result.changed.length > 0) publishInvalidation('model.update');
  return result.model;
}
