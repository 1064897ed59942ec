import { Client, fetchExchange, mapExchange, subscriptionExchange, type SubscriptionForwarder } from 'urql';
import { createCacheExchange } from './cache';
import { pageQueries, reachabilityExchange } from './connection/exchanges';
import { liveSubscriptions } from './connection/liveSocket';
import { ConnectionMonitor } from './connection/monitor';
import { isUnauthenticated } from './lib/errors';

/** Sent with every request; the API refuses cookie-authenticated requests without it (CSRF). */
export const CSRF_HEADER = { 'x-lumen-csrf': '1' } as const;

export interface LumenClientOptions {
  /** GraphQL endpoint, same origin as the UI. */
  url?: string;
  /** Called when any request comes back UNAUTHENTICATED (session missing or expired). */
  onUnauthenticated?: () => void;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: where subscriptions go instead of the websocket. */
  forwardSubscription?: SubscriptionForwarder;
}

function websocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

const monitors = new WeakMap<object, ConnectionMonitor>();

/** Whether this client reaches Lumen and hears its live updates (src/connection). */
export function connectionMonitorOf(client: object): ConnectionMonitor | undefined {
  return monitors.get(client);
}

export function createLumenClient({ url = '/graphql', onUnauthenticated, fetch, forwardSubscription }: LumenClientOptions = {}): Client {
  const monitor = new ConnectionMonitor();
  const queries = pageQueries();
  const client = new Client({
    url,
    fetch,
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin', headers: { ...CSRF_HEADER } },
    exchanges: [
      queries.exchange,
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated?.();
        },
      }),
      createCacheExchange(),
      reachabilityExchange(monitor),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription:
          forwardSubscription ?? liveSubscriptions({ url: websocketUrl(url), connectionParams: { ...CSRF_HEADER }, monitor }),
      }),
    ],
  });
  // Retry, and the live socket back after a drop (events may have been missed): every page fetches again.
  monitor.onRetry(() => queries.refetch(client));
  monitor.onResync(() => queries.refetch(client));
  monitors.set(client, monitor);
  return client;
}
