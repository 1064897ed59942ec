// GraphQL over WebSocket, loaded with the first upgrade request: graphql-ws brings graphql
// itself, which an instance that only serves /v1 never needs (server.ts; the memory figures
// are in api/bench/results.md). Upgrades that arrive while it loads wait for it.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { attachWebSocket } from './websocket.ts';
import { log } from '../log.ts';

type Yoga = Parameters<typeof attachWebSocket>[1];

export function attachWebSocketOnFirstUse(server: Server, yoga: Yoga): () => Promise<void> {
  let detach: (() => Promise<void>) | null = null;
  let loading: Promise<void> | null = null;
  const waiting: [IncomingMessage, Duplex, Buffer][] = [];
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    waiting.push([req, socket, head]);
    loading ??= import('./websocket.ts').then(
      ({ attachWebSocket }) => {
        // graphql-ws listens for upgrades from now on; the ones that waited are handed to it.
        server.off('upgrade', onUpgrade);
        detach = attachWebSocket(server, yoga);
        for (const upgrade of waiting.splice(0)) server.emit('upgrade', ...upgrade);
      },
      (error: unknown) => {
        loading = null;
        log.error({ err: error }, 'GraphQL over WebSocket could not be loaded');
        for (const [, waitingSocket] of waiting.splice(0)) waitingSocket.destroy();
      },
    );
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    await loading;
    await detach?.();
  };
}
