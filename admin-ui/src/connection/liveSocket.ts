// Subscriptions over graphql-ws, for urql's subscriptionExchange, reporting to the connection
// monitor. The socket opens with the first subscription and closes with the last (lazy); when
// it drops, it keeps reconnecting (sooner when Retry is pressed), and graphql-ws subscribes
// again on the new socket.
import type { SubscriptionForwarder } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import type { ConnectionMonitor } from './monitor';

/** 1 s, 2 s, 4 s … up to 15 s between attempts, with some jitter so that tabs do not retry in step. */
export function reconnectDelay(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 15_000) + Math.floor(Math.random() * 500);
}

/** What graphql-ws reports a closed socket with (a CloseEvent), as opposed to GraphQL errors. */
function isCloseEvent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'number';
}

export function liveSubscriptions({
  url,
  connectionParams,
  monitor,
  webSocketImpl,
}: {
  url: string;
  connectionParams: Record<string, unknown>;
  monitor: ConnectionMonitor;
  /** For tests: a WebSocket class standing in for the browser's. */
  webSocketImpl?: unknown;
}): SubscriptionForwarder {
  /** Subscriptions open on the socket: a close with none open is the lazy close, not a drop. */
  let open = 0;
  let ws: WsClient | null = null;
  const getWs = () =>
    (ws ??= createWsClient({
      url,
      webSocketImpl,
      lazy: true,
      // The session cookie rides along with the upgrade request; this mirrors the CSRF header.
      connectionParams,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: (attempt) => monitor.waitToReconnect(reconnectDelay(attempt)),
      on: {
        connected: (_socket, _payload, afterDrop) => monitor.liveConnected(afterDrop),
        closed: () => {
          if (open > 0) monitor.liveDropped();
        },
      },
    }));

  return (request) => {
    const input = { ...request, query: request.query ?? '' };
    return {
      subscribe(sink) {
        let stopped = false;
        let stop = () => {};
        const start = () => {
          open++;
          let counted = true;
          const release = () => {
            if (counted) open--;
            counted = false;
          };
          const unsubscribe = getWs().subscribe<Record<string, unknown>, Record<string, unknown>>(input, {
            next: (value) => sink.next(value),
            complete: () => {
              release();
              sink.complete();
            },
            error: (error) => {
              release();
              if (!isCloseEvent(error) || stopped) return sink.error(error);
              // A close graphql-ws gives up on (a fatal close code): the page keeps its
              // subscription and subscribes again on Retry, or once the socket is back.
              monitor.liveDropped();
              const again = () => {
                offRetry();
                offResync();
                if (!stopped) start();
              };
              const offRetry = monitor.onRetry(again);
              const offResync = monitor.onResync(again);
              stop = () => {
                offRetry();
                offResync();
              };
            },
          });
          stop = () => {
            release();
            unsubscribe();
          };
        };
        start();
        return {
          unsubscribe: () => {
            stopped = true;
            stop();
          },
        };
      },
    };
  };
}
