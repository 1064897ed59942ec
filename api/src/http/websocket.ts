// GraphQL over WebSocket (graphql-ws) on the same /graphql path, for dashboards
// that prefer it to server-sent events. Same schema, same context, same guards.
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { config } from '../config.ts';
import { isTrustedOrigin } from './cors.ts';
import { WEBSOCKET_LIMITS } from './limits.ts';
import { addressOf } from './rateLimits.ts';
import { CSRF_HEADER } from './viewer.ts';
import { log } from '../log.ts';

/** What this needs of the Yoga server (yoga.ts): its plugins' parse, validate, context and execution. */
type EnvelopedServer = Pick<YogaServerInstance<Record<string, unknown>, Record<string, unknown>>, 'getEnveloped'>;
type Enveloped = ReturnType<EnvelopedServer['getEnveloped']>;

export interface WebSocketOptions {
  /** Defaults to WEBSOCKET_LIMITS.connectionInitTimeoutMs (tests shorten it). */
  connectionInitTimeoutMs?: number;
}

const addressOfUpgrade = (req: IncomingMessage) =>
  addressOf(req.headers['x-forwarded-for'] as string | undefined, req.socket.remoteAddress, config().trustProxy);

/**
 * graphql-ws on `server`'s /graphql. `yoga` may be a loader (server.ts loads the admin API on
 * its first use): it is called when a subscription starts, never for a socket that sends nothing.
 */
export function attachWebSocket(
  server: Server,
  yoga: EnvelopedServer | (() => Promise<EnvelopedServer>),
  options: WebSocketOptions = {},
): () => Promise<void> {
  // Sockets whose connection_init has not been accepted yet, by client address: anyone can
  // open them, so each address may hold only a few, each for a few seconds.
  const waiting = new Map<string, number>();
  const addressOfSocket = new Map<WebSocket, string>();
  const stopWaiting = (socket: WebSocket) => {
    const address = addressOfSocket.get(socket);
    if (address === undefined) return;
    addressOfSocket.delete(socket);
    const left = (waiting.get(address) ?? 1) - 1;
    if (left > 0) waiting.set(address, left);
    else waiting.delete(address);
  };
  const wsServer = new WebSocketServer({
    server,
    path: '/graphql',
    // ws's default is 100 MiB, buffered before anyone is authenticated; a larger frame is refused (1009) from its header.
    maxPayload: WEBSOCKET_LIMITS.maxPayloadBytes,
    verifyClient: ({ req }, accept) => {
      const full = (waiting.get(addressOfUpgrade(req)) ?? 0) >= WEBSOCKET_LIMITS.maxUnacknowledgedPerAddress;
      if (full)
        accept(false, 429, 'Too many WebSocket connections from this address are waiting for connection_init; close some and retry');
      else accept(true);
    },
  });
  const disposable = useServer(
    {
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? WEBSOCKET_LIMITS.connectionInitTimeoutMs,
      onConnect: (ctx) => {
        stopWaiting(ctx.extra.socket);
      },
      execute: (args) => (args.rootValue as { execute: Enveloped['execute'] }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: Enveloped['subscribe'] }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        // The viewer comes from the upgrade request's cookie, or a token in connectionParams.
        const headers = new Headers();
        const upgrade = ctx.extra.request;
        // Browsers cannot add headers to a WebSocket, but they send Origin: a cookie counts only from
        // Lumen's own pages or those of LUMEN_CORS_ORIGINS, as for HTTP (see cors.ts).
        const origin = upgrade.headers.origin;
        if (upgrade.headers.cookie && (!origin || isTrustedOrigin(origin))) {
          headers.set('cookie', String(upgrade.headers.cookie));
          headers.set(CSRF_HEADER, '1');
        }
        const auth = (ctx.connectionParams?.authorization ?? upgrade.headers.authorization) as string | undefined;
        if (auth) headers.set('authorization', auth);
        const request = new Request('http://localhost/graphql', { headers });
        // (Yoga's server is itself a function, a request handler: tell the two apart by getEnveloped.)
        const enveloped = 'getEnveloped' in yoga ? yoga : await yoga();
        const { schema, execute, subscribe, contextFactory, parse, validate } = enveloped.getEnveloped({ ...ctx, request, params });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wsServer,
  );
  // ws listens for the HTTP server's 'error' and re-emits it here, where graphql-ws's listener
  // would swallow it: a port in use then left a process running that served nothing. The error
  // is the HTTP server's, for its owner to handle (server.ts: fatal before listening, logged
  // after). Should the owner have no listener of its own, it is thrown, as without ws.
  wsServer.removeAllListeners('error');
  wsServer.on('error', (error) => {
    if (server.listenerCount('error') <= 1) throw error;
  });
  // ws emits 'connection' in the same tick as verifyClient's accept, so the count cannot be overtaken.
  wsServer.on('connection', (socket, req) => {
    const address = addressOfUpgrade(req);
    addressOfSocket.set(socket, address);
    waiting.set(address, (waiting.get(address) ?? 0) + 1);
    socket.once('close', () => stopWaiting(socket));
    // A socket's errors are the client's protocol violations (a message over the limit, bad
    // UTF-8), which ws has already answered with a close code. graphql-ws (listening before
    // us) would print each with a stack trace to stderr; a warning line is enough.
    socket.removeAllListeners('error');
    socket.on('error', (error) => log.warn({ reason: error.message, address }, 'websocket closed for a protocol violation'));
  });
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  };
}
