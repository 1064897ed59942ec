// Which models a client (or a user's personal keys) may call, and consent.
//
// Status: a disabled model, a BLOCKED rule, or a BLOCKED default with no rule is
// BLOCKED; otherwise a model that needs consent is NEEDS_CONSENT until consent is
// granted, then CONSENTED; otherwise ALLOWED.
import { db, type Tx } from '../db/current.ts';
import { publishInvalidation, publishOwnerChange } from '../events/bus.ts';
import { AccessRule } from '../generated/prisma/enums.ts';
import { Prisma, type Model, type ModelUsage } from '../generated/prisma/client.ts';
import { recordAudit } from './audit.ts';
import { requireClient } from './clients.ts';
import { badInput } from './errors.ts';
import { requireModel } from './models.ts';
import { ownerColumns, type Owner } from './owner.ts';
import type { Viewer } from './viewer.ts';

export const MODEL_ACCESS_STATUSES = ['ALLOWED', 'BLOCKED', 'NEEDS_CONSENT', 'CONSENTED'] as const;
export type ModelAccessStatus = (typeof MODEL_ACCESS_STATUSES)[number];

/** A client's rule as the API sets it: a stored AccessRule, or DEFAULT for no rule (the model's defaultAccess applies). */
export const ACCESS_SETTINGS = [...Object.values(AccessRule), 'DEFAULT'] as const;
export type AccessSetting = (typeof ACCESS_SETTINGS)[number];

export function accessStatus(
  model: Pick<Model, 'disabled' | 'defaultAccess' | 'needsConsent'>,
  rule: AccessRule | null,
  consented: boolean,
): ModelAccessStatus {
  if (model.disabled || (rule ?? model.defaultAccess) === 'BLOCKED') return 'BLOCKED';
  if (model.needsConsent) return consented ? 'CONSENTED' : 'NEEDS_CONSENT';
  return 'ALLOWED';
}

/** May a request with this status be forwarded? */
export const isCallable = (status: ModelAccessStatus) => status === 'ALLOWED' || status === 'CONSENTED';

export interface ModelAccessEntry {
  owner: Owner;
  model: Model;
  /** The client's explicit rule, or null when the model's default applies. */
  rule: AccessRule | null;
  status: ModelAccessStatus;
  consentedAt: Date | null;
  usage: Pick<ModelUsage, 'requests' | 'inputTokens' | 'outputTokens' | 'coinsSpent' | 'lastUsedAt'> | null;
}

/** A model row with the owner's rule, consent and usage beside it (aliases start with __, which no column does). */
type AccessRow = Model & {
  __rule: AccessRule | null;
  __consentedAt: Date | null;
  __usageId: string | null;
  __requests: number | null;
  __inputTokens: bigint | null;
  __outputTokens: bigint | null;
  __coinsSpent: ModelUsage['coinsSpent'] | null;
  __lastUsedAt: Date | null;
};

/** Every model with this owner's status and usage: one statement whatever the counts. */
export async function listModelAccess(owner: Owner, tx: Tx = db()): Promise<ModelAccessEntry[]> {
  // A user's personal keys have no client rules: the join then finds none.
  const column = Prisma.raw(owner.clientId ? '"clientId"' : '"userId"');
  const ownerId = owner.clientId ?? owner.userId;
  // m.*: the whole model, as Prisma's own reads give it (same column types, so the same values).
  const rows = await tx.$queryRaw<AccessRow[]>`
    SELECT m.*, r."access"::text AS "__rule", c."grantedAt" AS "__consentedAt",
           u."id" AS "__usageId", u."requests" AS "__requests", u."inputTokens" AS "__inputTokens",
           u."outputTokens" AS "__outputTokens", u."coinsSpent" AS "__coinsSpent", u."lastUsedAt" AS "__lastUsedAt"
      FROM "Model" m
      LEFT JOIN "ClientModelAccess" r ON r."modelId" = m."id" AND r."clientId" = ${owner.clientId ?? null}::uuid
      LEFT JOIN "ModelConsent" c ON c."modelId" = m."id" AND c.${column} = ${ownerId}::uuid
      LEFT JOIN "ModelUsage" u ON u."modelId" = m."id" AND u.${column} = ${ownerId}::uuid
     ORDER BY m."name" ASC`;
  return rows.map(
    ({
      __rule: rule,
      __consentedAt: consentedAt,
      __usageId,
      __requests,
      __inputTokens,
      __outputTokens,
      __coinsSpent,
      __lastUsedAt,
      ...model
    }) => ({
      owner,
      model,
      rule,
      consentedAt,
      status: accessStatus(model, rule, consentedAt !== null),
      usage:
        __usageId === null
          ? null
          : {
              requests: __requests!,
              inputTokens: __inputTokens!,
              outputTokens: __outputTokens!,
              coinsSpent: __coinsSpent!,
              lastUsedAt: __lastUsedAt,
            },
    }),
  );
}

export async function modelAccessFor(owner: Owner, modelId: string, tx: Tx = db()): Promise<ModelAccessEntry> {
  const entry = (await listModelAccess(owner, tx)).find((e) => e.model.id === modelId);
  if (!entry) throw badInput(`No model with id ${modelId}`, 'modelId');
  return entry;
}

/** ALLOWED or BLOCKED sets the client's rule; DEFAULT removes it so the model's default applies. */
export async function setClientModelAccess(actor: Viewer, clientId: string, modelId: string, access: AccessSetting) {
  if (!ACCESS_SETTINGS.includes(access)) throw badInput(`access must be one of: ${ACCESS_SETTINGS.join(', ')}`, 'access');
  const client = await db().$transaction(async (tx) => {
    const client = await requireClient(tx, clientId);
    const model = await requireModel(tx, modelId);
    if (access === 'DEFAULT') {
      await tx.clientModelAccess.deleteMany({ where: { clientId: client.id, modelId: model.id } });
    } else {
      await tx.clientModelAccess.upsert({
        where: { clientId_modelId: { clientId: client.id, modelId: model.id } },
        create: { clientId: client.id, modelId: model.id, access },
        update: { access, updatedAt: new Date() },
      });
    }
    await recordAudit(
      tx,
      actor,
      'client.setModelAccess',
      { type: 'Client', id: client.id },
      { modelId: model.id, model: model.name, access },
    );
    return client;
  });
  publishInvalidation('client.setModelAccess');
  publishOwnerChange({ change: 'ACCESS_CHANGED', clientId: client.id, userId: null, apiKeyId: null, modelId });
  return client;
}

/** Consent for a model that needs it; granting twice is harmless and records nothing new. */
export async function grantModelConsent(actor: Viewer, owner: Owner, modelId: string): Promise<ModelAccessEntry> {
  const entry = await db().$transaction(async (tx) => {
    if (owner.clientId) await requireClient(tx, owner.clientId);
    const model = await requireModel(tx, modelId);
    const entry = await modelAccessFor(owner, model.id, tx);
    if (entry.status === 'CONSENTED') return entry;
    if (!model.needsConsent) throw badInput(`${model.name} does not need consent`, 'modelId');
    if (entry.status === 'BLOCKED')
      throw badInput(`${model.name} is blocked here, so consent cannot be given; ask an admin for access`, 'modelId');
    const consent = await tx.modelConsent.create({ data: { ...ownerColumns(owner), modelId: model.id, grantedById: actor.id } });
    await recordAudit(
      tx,
      actor,
      'model.grantConsent',
      { type: 'ModelConsent', id: consent.id },
      { ...ownerColumns(owner), modelId: model.id, model: model.name },
    );
    return { ...entry, status: 'CONSENTED' as const, consentedAt: consent.grantedAt };
  });
  publishInvalidation('model.grantConsent');
  publishOwnerChange({ change: 'CONSENT_GRANTED', ...ownerColumns(owner), apiKeyId: null, modelId: entry.model.id });
  return entry;
}
