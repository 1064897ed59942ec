// Rate limits per minute on /v1: requests and tokens, on a client (all its keys together),
// on a user (their personal keys together) and on one key. A request must pass both its
// key's and its owner's limits; null means no limit at that level. Setting one reaches
// every instance through the key cache's invalidation (the limits travel in KeyAccess), so
// /v1 reads no limit from the database; the counting is in domain/rateWindows.ts.
import { db, type Tx } from '../db/current.ts';
import { publishInvalidation } from '../events/bus.ts';
import { recordAudit } from './audit.ts';
import { requireClient } from './clients.ts';
import { badInput } from './errors.ts';
import { isUuid, requireWholeNumber } from './input.ts';
import type { Owner } from './owner.ts';
import { currentUse, type LimitedScope } from './rateWindows.ts';
import { requireUser } from './users.ts';
import type { Viewer } from './viewer.ts';

export interface RateLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
}

/** What a mutation sets: a number, null for no limit, or undefined to leave it as it is. */
export interface RateLimitsInput {
  requestsPerMinute?: number | null;
  tokensPerMinute?: number | null;
}

/** The level a limit is set at, as /v1's refusals name it. */
export type RateLimitLevel = 'key' | 'client' | 'user';

/** A level of limits a key's requests must pass, with the scope its windows are counted under. */
export interface RateLimitScope extends LimitedScope {
  level: RateLimitLevel;
}

const MAX_LIMIT = 2_147_483_647;
const FIELDS = ['requestsPerMinute', 'tokensPerMinute'] as const;

export const keyScope = (apiKeyId: string) => `key:${apiKeyId}`;
export const ownerScope = (owner: Owner) => (owner.clientId ? `client:${owner.clientId}` : `user:${owner.userId}`);

/** The levels that limit a key's requests (none: no limit applies), the key's first. Cached in KeyAccess. */
export function rateLimitScopes(apiKeyId: string, key: RateLimits, owner: Owner, ownerLimits: RateLimits): RateLimitScope[] {
  const scopes: RateLimitScope[] = [];
  const add = (scope: string, level: RateLimitLevel, limits: RateLimits) => {
    if (limits.requestsPerMinute !== null || limits.tokensPerMinute !== null)
      scopes.push({ scope, level, requests: limits.requestsPerMinute, tokens: limits.tokensPerMinute });
  };
  add(keyScope(apiKeyId), 'key', key);
  add(ownerScope(owner), owner.clientId ? 'client' : 'user', ownerLimits);
  return scopes;
}

/** The limits after applying `input` to `current`, each checked. */
function applied(input: RateLimitsInput, current: RateLimits): RateLimits {
  const next = { ...current };
  for (const field of FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    next[field] = value === null ? null : requireWholeNumber(value, field, 1, MAX_LIMIT);
  }
  return next;
}

const limitsOf = (row: RateLimits): RateLimits => ({ requestsPerMinute: row.requestsPerMinute, tokensPerMinute: row.tokensPerMinute });

async function audited<T extends RateLimits & { id: string }>(
  tx: Tx,
  actor: Viewer,
  action: string,
  type: 'Client' | 'User' | 'ApiKey',
  row: T,
  previous: RateLimits,
): Promise<T> {
  await recordAudit(tx, actor, action, { type, id: row.id }, { ...limitsOf(row), previous });
  return row;
}

/** Admins: the limits of all of a client's keys together. */
export async function setClientRateLimits(actor: Viewer, clientId: string, input: RateLimitsInput) {
  const client = await db().$transaction(async (tx) => {
    const current = await requireClient(tx, clientId);
    const data = applied(input, current);
    const row = await tx.client.update({ where: { id: current.id }, data });
    return audited(tx, actor, 'client.setRateLimits', 'Client', row, limitsOf(current));
  });
  publishInvalidation('client.setRateLimits');
  return client;
}

/** Admins: the limits of all of a user's personal keys together. */
export async function setUserRateLimits(actor: Viewer, userId: string, input: RateLimitsInput) {
  const user = await db().$transaction(async (tx) => {
    const current = await requireUser(tx, userId);
    const data = applied(input, current);
    const row = await tx.user.update({ where: { id: current.id }, data });
    return audited(tx, actor, 'user.setRateLimits', 'User', row, limitsOf(current));
  });
  publishInvalidation('user.setRateLimits');
  return user;
}

/**
 * Whoever manages the key (admins, the client's managers; for a personal key its user): the
 * key's own limits, within its owner's (a limit above the owner's could never be reached).
 */
export async function setApiKeyRateLimits(actor: Viewer, apiKeyId: string, input: RateLimitsInput) {
  const key = await db().$transaction(async (tx) => {
    const current = isUuid(apiKeyId) ? await tx.apiKey.findUnique({ where: { id: apiKeyId } }) : null;
    if (!current) throw badInput(`No API key with id ${apiKeyId}`, 'apiKeyId');
    const data = applied(input, current);
    const owner = current.clientId
      ? {
          what: `client "${(await requireClient(tx, current.clientId)).name}"`,
          limits: await ownerLimits(tx, { clientId: current.clientId }),
        }
      : { what: 'its user’s personal keys', limits: await ownerLimits(tx, { userId: current.userId! }) };
    for (const field of FIELDS) {
      const ceiling = owner.limits[field];
      const value = data[field];
      if (ceiling !== null && value !== null && value > ceiling && value !== current[field]) {
        throw badInput(`${field} can be at most ${ceiling}, the limit of ${owner.what}; leave it empty for that limit alone`, field);
      }
    }
    const row = await tx.apiKey.update({ where: { id: current.id }, data });
    return audited(tx, actor, 'apiKey.setRateLimits', 'ApiKey', row, limitsOf(current));
  });
  publishInvalidation('apiKey.setRateLimits');
  return key;
}

async function ownerLimits(tx: Tx, owner: Owner): Promise<RateLimits> {
  const select = { requestsPerMinute: true, tokensPerMinute: true } as const;
  const row = owner.clientId
    ? await tx.client.findUnique({ where: { id: owner.clientId }, select })
    : await tx.user.findUnique({ where: { id: owner.userId }, select });
  return row ?? { requestsPerMinute: null, tokensPerMinute: null };
}

/** What the current window has counted (as Redis knows it, or this instance alone). */
export type WindowUse = Awaited<ReturnType<typeof currentUse>>;

/**
 * A scope's limits, and what its current window has counted, read only when asked for: a
 * page of keys shows their limits, and reading a hundred windows it does not show would
 * make each key wait on a promise (and, with Redis, a round trip).
 */
export interface RateLimitStatus extends RateLimits {
  use: () => Promise<WindowUse>;
}

export function rateLimitStatus(limits: RateLimits, scope: string): RateLimitStatus {
  let use: Promise<WindowUse> | undefined;
  return { ...limitsOf(limits), use: () => (use ??= currentUse(scope)) };
}
