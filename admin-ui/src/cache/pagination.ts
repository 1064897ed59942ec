import type { Resolver } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

/**
 * relayPagination, plus the connection's totalCount (which relayPagination leaves out): the
 * pages of a list that have been fetched, joined in cursor order, counted as the newest page says.
 */
export function relayPaginationWithTotal(): Resolver {
  const pages = relayPagination();
  return (parent, args, cache, info) => {
    const joined = pages(parent, args, cache, info);
    if (!joined || typeof joined !== 'object') return joined;
    const current = cache.resolve(info.parentKey, info.fieldName, args);
    return { ...joined, totalCount: typeof current === 'string' ? cache.resolve(current, 'totalCount') : undefined };
  };
}
