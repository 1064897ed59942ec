// What each mutation and subscription result changes beyond the objects it returns. Objects
// with an id (a Client, an ApiKey, an AccessToken) update themselves when a result carries
// them; what is left is lists (which items they hold) and rows without ids.
import type { Cache, UpdatesConfig } from '@urql/exchange-graphcache';
import type { ResultOf } from '../lib/types';
import { OwnerEvents_UsageEventFragment, writeOwnerEvent } from './ownerEvents';
import { invalidateApiKeyLists, ownerKeyOf, ownerOfApiKey, replaceModelAccessRow, viewerKey } from './ownerFields';

type UsageEvent = ResultOf<typeof OwnerEvents_UsageEventFragment>;
type Input<T> = { input: T };

/** The viewer's admin-API tokens, newest first (as the API lists them). */
function updateViewerTokens(cache: Cache, update: (tokens: string[]) => string[]): void {
  const viewer = viewerKey(cache);
  const tokens = viewer ? cache.resolve(viewer, 'accessTokens') : null;
  if (viewer && Array.isArray(tokens)) cache.link(viewer, 'accessTokens', update(tokens.filter((t): t is string => typeof t === 'string')));
}

export const updates: UpdatesConfig = {
  Mutation: {
    createApiKey(_result, args: Input<{ clientId?: string | null }>, cache) {
      const owner = ownerKeyOf(cache, args.input.clientId);
      if (owner) invalidateApiKeyLists(cache, owner);
    },
    revokeApiKey(_result, args: Input<{ id: string }>, cache) {
      const owner = ownerOfApiKey(cache, args.input.id);
      if (owner) invalidateApiKeyLists(cache, owner, { hidingRevoked: true });
    },
    grantModelConsent(result: { grantModelConsent?: { modelAccess?: unknown } }, args: Input<{ clientId?: string | null }>, cache) {
      const owner = ownerKeyOf(cache, args.input.clientId);
      const row = result.grantModelConsent?.modelAccess;
      if (owner && row) replaceModelAccessRow(cache, owner, row as Parameters<typeof replaceModelAccessRow>[2]);
    },
    createAccessToken(result: { createAccessToken?: { accessToken?: { id: string } } }, _args, cache) {
      const token = result.createAccessToken?.accessToken;
      const created = token ? cache.keyOfEntity({ __typename: 'AccessToken', id: token.id }) : null;
      if (created) updateViewerTokens(cache, (tokens) => [created, ...tokens.filter((t) => t !== created)]);
    },
    revokeAccessToken(_result, args: Input<{ id: string }>, cache) {
      const revoked = cache.keyOfEntity({ __typename: 'AccessToken', id: args.input.id });
      updateViewerTokens(cache, (tokens) => tokens.filter((t) => t !== revoked));
    },
    createClient(_result, _args, cache) {
      // Where the new client falls in each list (search, page) is the API's call.
      for (const field of cache.inspectFields('Query')) {
        if (field.fieldName === 'clients') cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
      }
    },
  },
  Subscription: {
    clientUsage(result: { clientUsage?: UsageEvent & { client: { id: string } } }, _args, cache) {
      const event = result.clientUsage;
      if (event) writeOwnerEvent(cache, { __typename: 'Client', id: event.client.id }, event);
    },
    viewerUsage(result: { viewerUsage?: UsageEvent & { user: { id: string } } }, _args, cache) {
      const event = result.viewerUsage;
      if (event) writeOwnerEvent(cache, { __typename: 'User', id: event.user.id }, event);
    },
  },
};
