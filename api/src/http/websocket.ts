// GraphQL over WebSocket (graphql-ws) on the same /graphql path, for dashboards
// that prefer it to server-sent events. Same schema, same context, same guards.
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ExecutionArgs } from 'graphql';
import { config } from '../config.ts';
import type { yoga as lumenYoga } from '../yoga.ts';
import { CSRF_HEADER } from './viewer.ts';

type Enveloped = ReturnType<(typeof lumenYoga)['getEnveloped']>;

export function attachWebSocket(server: Server, yoga: typeof lumenYoga): () => Promise<void> {
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as { execute: Enveloped['execute'] }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: Enveloped['subscribe'] }).subscribe(args as ExecutionArgs),
      onSubscribe: async (ctx, _id, params) => {
        // The viewer comes from the upgrade request's cookie, or a token in connectionParams.
        const headers = new Headers();
        const upgrade = ctx.extra.request;
        // Browsers cannot add headers to a WebSocket, but they send Origin: a cookie counts only from our own pages.
        const origin = upgrade.headers.origin;
        if (upgrade.headers.cookie && (!origin || origin === new URL(config().publicUrl).origin || config().env === 'development')) {
          headers.set('cookie', String(upgrade.headers.cookie));
          headers.set(CSRF_HEADER, '1');
        }
        const auth = (ctx.connectionParams?.authorization ?? upgrade.headers.authorization) as string | undefined;
        if (auth) headers.set('authorization', auth);
        const request = new Request('http://localhost/graphql', { headers });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...ctx, request, params });
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
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  };
}
