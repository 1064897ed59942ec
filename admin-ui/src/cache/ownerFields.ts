// Updates to the fields every owner (a Client, or a User's personal account) has: its key
// lists and its model access rows. Both kinds of owner are handled alike; only the way to
// reach the viewer differs.
import type { Cache, Data } from '@urql/exchange-graphcache';
import { getFragmentData, type FragmentType } from '../gql';
import { ModelAccessTable_ModelAccessFragment, ModelAccessTable_UsageOwnerFragment } from '../features/models/ModelAccessTable';

/** The viewer's cache key ("User:…"), once any query has asked for the viewer. */
export function viewerKey(cache: Cache): string | null {
  const link = cache.resolve('Query', 'viewer');
  return typeof link === 'string' ? link : null;
}

/** The owner a mutation named: the client of `clientId`, else the viewer (personal keys). */
export function ownerKeyOf(cache: Cache, clientId: string | null | undefined): string | null {
  return clientId ? cache.keyOfEntity({ __typename: 'Client', id: clientId }) : viewerKey(cache);
}

/** Owners the cache holds key lists for: whatever `client`, `viewer` and `node` answered with. */
function ownersWithKeyLists(cache: Cache): string[] {
  const owners = new Set<string>();
  for (const field of cache.inspectFields('Query')) {
    if (!['client', 'viewer', 'node'].includes(field.fieldName)) continue;
    const link = cache.resolve('Query', field.fieldKey);
    if (typeof link === 'string' && cache.inspectFields(link).some((f) => f.fieldName === 'apiKeys')) owners.add(link);
  }
  return [...owners];
}

/**
 * Drops the owner's cached key lists (every search, filter and page), so the lists on screen
 * are fetched again: which keys a list holds, in which order and how many, is the API's call.
 * `hidingRevoked`: only the lists without revoked keys (a revoked key stays in the others).
 */
export function invalidateApiKeyLists(cache: Cache, ownerKey: string, { hidingRevoked = false } = {}): void {
  for (const field of cache.inspectFields(ownerKey)) {
    if (field.fieldName !== 'apiKeys') continue;
    if (hidingRevoked && field.arguments?.includeRevoked === true) continue;
    cache.invalidate(ownerKey, field.fieldName, field.arguments ?? undefined);
  }
}

/** The owner whose cached key lists show this key (a revocation names the key only). */
export function ownerOfApiKey(cache: Cache, apiKeyId: string): string | null {
  const keyKey = cache.keyOfEntity({ __typename: 'ApiKey', id: apiKeyId });
  for (const owner of ownersWithKeyLists(cache)) {
    for (const field of cache.inspectFields(owner)) {
      if (field.fieldName !== 'apiKeys') continue;
      const connection = cache.resolve(owner, field.fieldKey);
      const edges = typeof connection === 'string' ? cache.resolve(connection, 'edges') : null;
      if (Array.isArray(edges) && edges.some((edge) => typeof edge === 'string' && cache.resolve(edge, 'node') === keyKey)) return owner;
    }
  }
  return null;
}

/**
 * Puts a fresh model access row (after usage, consent or a rule change) in place of the
 * owner's row for the same model. Rows have no id of their own: they live inside their
 * owner's list, so the list is read and written back whole.
 */
export function replaceModelAccessRow(
  cache: Cache,
  owner: string | Data,
  row: FragmentType<typeof ModelAccessTable_ModelAccessFragment>,
): void {
  const cached = cache.readFragment(ModelAccessTable_UsageOwnerFragment, owner);
  if (!cached) return; // no page shows this owner's model access yet
  const modelId = getFragmentData(ModelAccessTable_ModelAccessFragment, row).model.id;
  const rows = cached.modelAccess.map((r) => (getFragmentData(ModelAccessTable_ModelAccessFragment, r).model.id === modelId ? row : r));
  cache.writeFragment(ModelAccessTable_UsageOwnerFragment, { ...cached, modelAccess: rows });
}
