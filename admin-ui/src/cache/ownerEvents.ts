// What the clientUsage and viewerUsage events carry, and how their figures go into the
// normalized cache: the pages never fetch again for an event, except a RESYNC (events may
// have been missed) and a key created or revoked (which keys a list shows is the API's call).
import type { Cache } from '@urql/exchange-graphcache';
import { graphql } from '../gql';
import { UsageCards_UsageOwnerFragment } from '../features/client/UsageCards';
import type { ResultOf } from '../lib/types';
import { invalidateApiKeyLists, replaceModelAccessRow } from './ownerFields';

/**
 * The selection of both owner subscriptions. usage, coinPool and coinRefill select what
 * UsageCards_UsageOwnerFragment does, so that writing them gives the cards every field;
 * the key and the model access row select what their tables show.
 */
export const OwnerEvents_UsageEventFragment = graphql(`
  fragment OwnerEvents_UsageEventFragment on UsageEvent {
    change
    at
    usage {
      requests
      inputTokens
      outputTokens
      totalTokens
      coinsSpent
    }
    coinPool {
      state
      balance
      capacity
      largestRecentReservation
    }
    coinRefill {
      amount
      intervalSeconds
      nextRefillAt
    }
    apiKey {
      id
      ...ApiKeysTable_ApiKeyFragment
    }
    modelAccess {
      ...ModelAccessTable_ModelAccessFragment
    }
  }
`);

type UsageEvent = ResultOf<typeof OwnerEvents_UsageEventFragment>;

/** Writes one event about `owner` (the client, or the user whose personal keys changed) into the cache. */
export function writeOwnerEvent(cache: Cache, owner: { __typename: 'Client' | 'User'; id: string }, event: UsageEvent): void {
  const ownerKey = cache.keyOfEntity(owner);
  if (!ownerKey) return;
  if (event.change === 'RESYNC') {
    // Events were missed: drop what is known of the owner, and every query showing it fetches again.
    cache.invalidate(ownerKey);
    return;
  }
  cache.writeFragment(UsageCards_UsageOwnerFragment, {
    ...owner,
    usage: event.usage,
    coinPool: event.coinPool,
    coinRefill: event.coinRefill,
  });
  // event.apiKey needs nothing more: an ApiKey has an id, so its new counters replace the cached ones
  // (KEY_EXPIRING too: the key table highlights a key from its expiresAt, and the list stays as it is).
  if (event.modelAccess) replaceModelAccessRow(cache, owner, event.modelAccess);
  if (event.change === 'KEY_CREATED') invalidateApiKeyLists(cache, ownerKey);
  if (event.change === 'KEY_REVOKED') invalidateApiKeyLists(cache, ownerKey, { hidingRevoked: true });
  // A threshold fired and its delivery is under way: the Budget Alerts section fetches its list again.
  if (event.change === 'BUDGET_LOW') cache.invalidate(ownerKey, 'budgetAlerts');
}
