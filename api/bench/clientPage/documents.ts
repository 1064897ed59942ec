// The client page's real operations, taken from the admin UI's generated documents
// (admin-ui/src/gql, written by `npm run generate`), so the benchmark measures what
// the browser sends today and follows the page when it changes. Opening a client
// page sends both: the page's query (header, usage cards, managers, pool, model
// access) and the API-keys section's query (its first page of keys).
import { print, type DocumentNode } from 'graphql';
import { ApiKeysSection_ApiKeysQueryDocument, ClientPage_ClientQueryDocument } from '../../../admin-ui/src/gql/graphql.ts';

/** The keys section's page size on first load (PAGE in ApiKeysSection.tsx). */
export const KEYS_PAGE = 100;

export const PAGE_OPERATION = 'ClientPage_ClientQuery';
export const KEYS_OPERATION = 'ApiKeysSection_ApiKeysQuery';

export const pageQuery = print(ClientPage_ClientQueryDocument as unknown as DocumentNode);
export const keysQuery = print(ApiKeysSection_ApiKeysQueryDocument as unknown as DocumentNode);

/** The two request bodies a browser sends when it opens the page of this client. */
export function pageLoadBodies(clientGlobalId: string): [string, string] {
  return [
    JSON.stringify({ operationName: PAGE_OPERATION, query: pageQuery, variables: { id: clientGlobalId } }),
    JSON.stringify({
      operationName: KEYS_OPERATION,
      query: keysQuery,
      variables: { ownerId: clientGlobalId, search: null, includeRevoked: false, first: KEYS_PAGE, after: null },
    }),
  ];
}
