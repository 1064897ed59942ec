// Updates for the Users pages: the admin list of users, and the lists a user page shows
// (sessions, admin-API tokens) that a revocation or a deactivation changes.
import type { Cache } from '@urql/exchange-graphcache';

/** Drops every cached page of Query.<field> (each search and page), so those on screen are fetched again. */
export function invalidateQueryField(cache: Cache, fieldName: 'allUsers' | 'users'): void {
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName === fieldName) cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

/** Users the cache holds `listField` for: whatever `viewer` and `node` answered with. */
function usersWith(cache: Cache, listField: string): string[] {
  const users = new Set<string>();
  for (const field of cache.inspectFields('Query')) {
    if (field.fieldName !== 'viewer' && field.fieldName !== 'node') continue;
    const link = cache.resolve('Query', field.fieldKey);
    if (typeof link === 'string' && link.startsWith('User:') && cache.inspectFields(link).some((f) => f.fieldName === listField)) {
      users.add(link);
    }
  }
  return [...users];
}

/** Takes a revoked session or token out of every user's cached list that holds it. */
export function removeFromUserLists(cache: Cache, listField: 'sessions' | 'accessTokens', removed: string | null): void {
  if (!removed) return;
  for (const user of usersWith(cache, listField)) {
    const items = cache.resolve(user, listField);
    if (Array.isArray(items) && items.some((item) => item === removed)) {
      cache.link(
        user,
        listField,
        items.filter((item): item is string => typeof item === 'string' && item !== removed),
      );
    }
  }
}
