import { useEffect, useRef, useState } from 'react';
import { useSubscription, type AnyVariables, type UseSubscriptionArgs } from 'urql';
import { graphql } from '../../gql';

const ClientUsageSubscription = graphql(`
  subscription ClientPage_ClientUsageSubscription($clientId: ID!) {
    clientUsage(clientId: $clientId) {
      change
      at
    }
  }
`);

/**
 * Live usage for a client over graphql-ws: returns a number that goes up after the API
 * reports changes (a metered request, a key created or revoked, consent, a refill), so the
 * page and its sections fetch again. Bursts are coalesced: at most one refresh per
 * `throttleMs`, and always one after the last event.
 */
export function useLiveUsage(clientId: string | null, throttleMs = 1000): number {
  return useLiveTick({ query: ClientUsageSubscription, variables: { clientId: clientId ?? '' }, pause: !clientId }, throttleMs);
}

/** Any usage subscription (`clientUsage`, `viewerUsage`) as a throttled refresh counter. */
export function useLiveTick<Data, Variables extends AnyVariables>(args: UseSubscriptionArgs<Variables, Data>, throttleMs = 1000): number {
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  useSubscription<Data, Data, Variables>(args, (_previous, event) => {
    if (!timer.current) {
      timer.current = setTimeout(() => {
        timer.current = null;
        setTick((t) => t + 1);
      }, throttleMs);
    }
    return event;
  });
  return tick;
}
