// After LUMEN_SECRET is rotated, keys, tokens and sessions hashed with the old
// secret still work: the first time one is used, its stored hash is replaced by
// the hash under the new secret. Nothing changes when no previous secret is set.
import { db } from '../db/current.ts';
import { hashSecret, previousHashes } from './secrets.ts';

export type HashedTable = 'apiKey' | 'accessToken' | 'session';

/**
 * What `find` gives for the secret's current hash; failing that, for a row stored under a
 * previous secret's hash, moved to the current one first (keys, tokens and sessions alike).
 */
export async function findBySecret<T>(
  table: HashedTable,
  secret: string,
  find: (hash: string) => Promise<T | null>,
  hash = hashSecret(secret),
): Promise<T | null> {
  return (await find(hash)) ?? ((await adoptCurrentHash(table, secret)) ? find(hash) : null);
}

/** True when a row hashed under a previous secret was found and moved to the current one. */
async function adoptCurrentHash(table: HashedTable, secret: string): Promise<boolean> {
  const old = previousHashes(secret);
  if (old.length === 0) return false;
  const where = { hash: { in: old } };
  const data = { hash: hashSecret(secret) };
  const prisma = db();
  const result =
    table === 'apiKey'
      ? await prisma.apiKey.updateMany({ where, data })
      : table === 'accessToken'
        ? await prisma.accessToken.updateMany({ where, data })
        : await prisma.session.updateMany({ where, data });
  return result.count > 0;
}
