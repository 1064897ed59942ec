// urql's normalized cache (Graphcache) for the admin UI: objects with an id are stored once
// and every query showing one updates when any result carries it; mutations and the live
// usage subscriptions update the rest (updates.ts). This replaces the document cache, which
// refetched whole queries by type name (`additionalTypenames`).
import { cacheExchange, type KeyingConfig } from '@urql/exchange-graphcache';
import { schema } from '../gql/schema';
import { relayPaginationWithTotal } from './pagination';
import { updates } from './updates';

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Types without an id (Usage, CoinPool, ModelAccess, Manager, connections, payloads, events)
 * are embedded in the object that holds them: a ModelAccess row is keyed by its owner's
 * list. Read from the schema, so a new type needs no entry here.
 */
const keys: KeyingConfig = Object.fromEntries(
  (schema.__schema.types ?? [])
    .filter(
      (type) => type.kind === 'OBJECT' && !ROOTS.has(type.name) && !type.fields?.some((field: { name: string }) => field.name === 'id'),
    )
    .map((type) => [type.name, () => null]),
);

export function createCacheExchange() {
  return cacheExchange({
    schema,
    keys,
    // Key lists grow with "Show more": pages join in one list. The clients list shows one page
    // at a time (Previous / Next), so its pages stay apart.
    resolvers: {
      Client: { apiKeys: relayPaginationWithTotal() },
      User: { apiKeys: relayPaginationWithTotal() },
    },
    updates,
  });
}
