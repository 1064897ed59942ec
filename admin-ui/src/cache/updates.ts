// What each mutation and subscription result changes beyond the objects it returns. Objects
// with an id (a Client, an ApiKey, an AccessToken) update themselves when a result carries
// them; what is left is lists (which items they hold) and rows without ids.
import type { Cache, UpdatesConfig } from '@urql/exchange-graphcache';
import type { ResultOf } from '../lib/types';
import { OwnerEvents_UsageEventFragment, writeOwnerEvent } from './ownerEvents';
import { invalidateApiKeyLists, ownerKeyOf, ownerOfApiKey, replaceModelAccessRow, viewerKey } from './ownerFields';
import { invalidateQueryField, removeFromUserLists } from './userLists';

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
      // The viewer's own list (Profile), or another user's (an admin on their page).
      removeFromUserLists(cache, 'accessTokens', cache.keyOfEntity({ __typename: 'AccessToken', id: args.input.id }));
    },
    revokeSession(_result, args: Input<{ id: string }>, cache) {
      removeFromUserLists(cache, 'sessions', cache.keyOfEntity({ __typename: 'Session', id: args.input.id }));
    },
    createUser(_result, _args, cache) {
      // Where the new user falls in each list (search, page) is the API's call.
      invalidateQueryField(cache, 'allUsers');
      invalidateQueryField(cache, 'users');
    },
    setUserAdmin(_result, _args, cache) {
      // Who else may be demoted or deactivated (the last admin may not) changed too.
      invalidateQueryField(cache, 'allUsers');
    },
    setUserActive(_result, args: Input<{ userId: string; active: boolean }>, cache) {
      invalidateQueryField(cache, 'allUsers');
      invalidateQueryField(cache, 'users');
      // Deactivating ends every session of the user.
      const user = cache.keyOfEntity({ __typename: 'User', id: args.input.userId });
      if (user && !args.input.active) cache.invalidate(user, 'sessions');
    },
    setClientModelAccess(_result, args: Input<{ modelId: string }>, cache) {
      // The model's page lists the clients with a rule: which ones is the API's answer.
      cache.invalidate({ __typename: 'Model', id: args.input.modelId }, 'clientsWithAccess');
    },
    createModel(_result, _args, cache) {
      // Query.models lists every model: fetched again with the new one in its place.
      cache.invalidate('Query', 'models');
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
