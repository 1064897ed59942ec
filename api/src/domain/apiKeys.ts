// API keys: created with a secret shown once, revoked but never deleted.
import { config } from '../config.ts';
import { db } from '../db/current.ts';
import { publishInvalidation, publishOwnerChange } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { requireClient } from './clients.ts';
import { badInput } from './errors.ts';
import { isUuid, literalContains, requireName } from './input.ts';
import { ownerColumns, type Owner } from './owner.ts';
import { generateSecret, hashSecret, hintOf } from './secrets.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * When a new key expires: the date asked for, which must be in the future and (with
 * LUMEN_API_KEY_MAX_DAYS) at most that many days ahead; left out or null, the instance's
 * maximum lifetime when one is set, and otherwise never (null).
 */
export function requireKeyExpiry(expiresAt: Date | null | undefined, now = new Date()): Date | null {
  const maxDays = config().apiKeyMaxDays;
  if (expiresAt == null) return maxDays === null ? null : new Date(now.getTime() + maxDays * DAY_MS);
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw badInput('expiresAt must be a date and time such as 2027-06-30T00:00:00Z, or left out', 'expiresAt');
  }
  if (expiresAt <= now) throw badInput(`expiresAt must be in the future, not ${expiresAt.toISOString()}`, 'expiresAt');
  if (maxDays !== null && expiresAt.getTime() - now.getTime() > maxDays * DAY_MS) {
    const latest = new Date(now.getTime() + maxDays * DAY_MS);
    throw badInput(
      `expiresAt can be at most ${maxDays} days ahead on this instance (LUMEN_API_KEY_MAX_DAYS), that is no later than ${latest.toISOString()}; leave it out for the longest lifetime`,
      'expiresAt',
    );
  }
  return expiresAt;
}

export async function createApiKey(actor: Viewer, owner: Owner, input: { name: string; expiresAt?: Date | null }) {
  const name = requireName(input.name, 'name');
  const expiresAt = requireKeyExpiry(input.expiresAt);
  const secret = generateSecret('sk');
  const created = await db().$transaction(async (tx) => {
    // A key that /v1 would refuse from the start is a trap: none for a deactivated owner.
    if (owner.clientId) {
      const client = await requireClient(tx, owner.clientId);
      if (!client.active)
        throw badInput(
          `${client.name} is deactivated, so a key for it could not be used; an admin must activate the client first`,
          'clientId',
        );
    } else {
      const user = await requireUser(tx, owner.userId!);
      if (!user.active) throw badInput(`${user.email} is deactivated, so a personal key for them could not be used`, 'userId');
    }
    const apiKey = await tx.apiKey.create({
      data: { ...ownerColumns(owner), name, hash: hashSecret(secret), hint: hintOf(secret), expiresAt },
    });
    await recordAudit(
      tx,
      actor,
      'apiKey.create',
      { type: 'ApiKey', id: apiKey.id },
      { ...ownerColumns(owner), name, hint: apiKey.hint, expiresAt: expiresAt?.toISOString() ?? null },
    );
    return { apiKey, secret };
  });
  publishOwnerChange({ change: 'KEY_CREATED', ...ownerColumns(owner), apiKeyId: created.apiKey.id, modelId: null });
  return created;
}

export async function findApiKey(id: string) {
  return isUuid(id) ? db().apiKey.findUnique({ where: { id } }) : null;
}

export async function revokeApiKey(actor: Viewer, id: string) {
  const revoked = await db().$transaction(async (tx) => {
    const key = isUuid(id) ? await tx.apiKey.findUnique({ where: { id } }) : null;
    if (!key) throw badInput(`No API key with id ${id}`, 'id');
    if (key.revokedAt) throw badInput(`The key "${key.name}" was already revoked`, 'id');
    const apiKey = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date(), revokedById: actor.id } });
    await recordAudit(
      tx,
      actor,
      'apiKey.revoke',
      { type: 'ApiKey', id: key.id },
      { clientId: key.clientId, userId: key.userId, name: key.name, hint: key.hint },
    );
    return apiKey;
  });
  publishInvalidation('apiKey.revoke');
  publishOwnerChange({ change: 'KEY_REVOKED', clientId: revoked.clientId, userId: revoked.userId, apiKeyId: revoked.id, modelId: null });
  return revoked;
}

/** Where-clause for a key list: active only unless asked, optional search on name or hint. */
export function apiKeyListWhere(args: { includeRevoked?: boolean | null; search?: string | null }) {
  const text = args.search?.trim();
  return {
    ...(args.includeRevoked ? {} : { revokedAt: null }),
    ...(text ? { OR: [{ name: literalContains(text) }, { hint: literalContains(text) }] } : {}),
  };
}
