// What an API key may do: who owns it, whether that owner is active, and the
// owner's status for every model. /v1 caches this per key (see v1/keyCache.ts).
import { db } from '../db/current.ts';
import { listModelAccess, type ModelAccessEntry } from './modelAccess.ts';
import type { Owner } from './owner.ts';
import { rateLimitScopes, type RateLimitScope } from './rateLimits.ts';

export interface KeyAccess {
  apiKeyId: string;
  hint: string;
  revokedAt: Date | null;
  /** When the key stops working (null: never); /v1 compares it with the clock on every request, cached or not. */
  expiresAt: Date | null;
  owner: Owner;
  ownerKind: 'client' | 'user';
  ownerName: string;
  ownerActive: boolean;
  /** The rate limits its requests must pass, the key's then its owner's (empty: none); domain/rateLimits.ts. */
  rateLimits: RateLimitScope[];
  /** Every model with this owner's access status, by model name. */
  models: Map<string, ModelAccessEntry>;
}

/** The key with this hash and everything needed to admit its requests, or null when unknown. */
export async function findKeyAccess(hash: string): Promise<KeyAccess | null> {
  const key = await db().apiKey.findUnique({
    where: { hash },
    select: {
      id: true,
      hint: true,
      revokedAt: true,
      expiresAt: true,
      requestsPerMinute: true,
      tokensPerMinute: true,
      client: { select: { id: true, name: true, active: true, requestsPerMinute: true, tokensPerMinute: true } },
      user: { select: { id: true, name: true, active: true, requestsPerMinute: true, tokensPerMinute: true } },
    },
  });
  if (!key) return null;
  const owner: Owner = key.client ? { clientId: key.client.id } : { userId: key.user!.id };
  const holder = key.client ?? key.user!;
  const base = {
    apiKeyId: key.id,
    hint: key.hint,
    revokedAt: key.revokedAt,
    expiresAt: key.expiresAt,
    owner,
    ownerKind: key.client ? 'client' : 'user',
    ownerName: holder.name,
    rateLimits: rateLimitScopes(key.id, key, owner, holder),
  } as const;
  // A revoked key needs nothing more (its owner only says where to make a new one): it is refused whatever its owner may do.
  if (key.revokedAt) return { ...base, ownerActive: false, models: new Map() };
  const entries = await listModelAccess(owner);
  return { ...base, ownerActive: holder.active, models: new Map(entries.map((entry) => [entry.model.name, entry])) };
}
