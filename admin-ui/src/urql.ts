import { Client, fetchExchange, mapExchange, subscriptionExchange, type SubscriptionForwarder } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createCacheExchange } from './cache';
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

export function createLumenClient({ url = '/graphql', onUnauthenticated, fetch, forwardSubscription }: LumenClientOptions = {}): Client {
  // The websocket opens only when a subscription starts, and closes when none is left.
  let ws: WsClient | null = null;
  const getWs = () =>
    (ws ??= createWsClient({
      url: websocketUrl(url),
      lazy: true,
      // The session cookie rides along with the upgrade request; this mirrors the CSRF header.
      connectionParams: { ...CSRF_HEADER },
      retryAttempts: 20,
      shouldRetry: () => true,
    }));

  return new Client({
    url,
    fetch,
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin', headers: { ...CSRF_HEADER } },
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated?.();
        },
      }),
      createCacheExchange(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription:
          forwardSubscription ??
          ((request) => {
            const input = { ...request, query: request.query ?? '' };
            return {
              subscribe(sink) {
                const unsubscribe = getWs().subscribe(input, sink);
                return { unsubscribe };
              },
            };
          }),
      }),
    ],
  });
}
