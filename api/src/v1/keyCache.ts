// Key checks cached in memory per process, so that most requests cost no database
// read before metering. Any invalidation (a key revoked, a client or user
// deactivated, access, consent or a pool changed), from this instance or another
// through the bus, empties the whole cache: the next request reads afresh. A short
// lifetime also bounds what changes made outside the API (a CLI on another
// database connection) can leave stale. A key's expiresAt is part of what is cached, and
// v1/auth.ts compares it with the clock on every request: a cached key expires on time.
import { onInvalidation } from '../events/bus.ts';
import { findKeyAccess, type KeyAccess } from '../domain/keyAccess.ts';

const MAX_ENTRIES = 10_000;
const LIFETIME_MS = 60_000;

interface Entry {
  access: Promise<KeyAccess | null>;
  expiresAt: number;
}

const entries = new Map<string, Entry>();
// A look-up that started before an invalidation must not be cached after it.
let generation = 0;

onInvalidation(() => {
  generation++;
  entries.clear();
});

/** The key's access by its hash (null: unknown key; never cached, so a new key works at once). */
export function keyAccess(hash: string): Promise<KeyAccess | null> {
  const now = Date.now();
  const cached = entries.get(hash);
  if (cached && cached.expiresAt > now) return cached.access;
  const started = generation;
  const access = findKeyAccess(hash);
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(hash, { access, expiresAt: now + LIFETIME_MS });
  access.then(
    (found) => {
      if (!found || started !== generation) {
        if (entries.get(hash)?.access === access) entries.delete(hash);
      }
    },
    () => {
      if (entries.get(hash)?.access === access) entries.delete(hash);
    },
  );
  return access;
}

/** Forget everything (a model was created that a cached key has not seen yet). */
export function forgetKeys(): void {
  generation++;
  entries.clear();
}
