// The one HTTP entry point: GraphQL at /graphql, plus sign-in routes, health,
// /v1 and the admin UI. Tests call yoga.fetch directly, without a port.
import { createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { config } from './config.ts';
import { DomainError } from './domain/errors.ts';
import { handleAuthRoute } from './http/authRoutes.ts';
import { useInputErrorCodes } from './http/inputErrorCodes.ts';
import { handleStatic } from './http/staticFiles.ts';
import { handleV1 } from './v1/handler.ts';
import { CredentialsError, CsrfError, sessionTokenOf, viewerOf } from './http/viewer.ts';
import { armorPlugins, bodyTooLarge, useIntrospectionPolicy } from './http/hardening.ts';
import { clientAddress, consume, RateLimitedError } from './http/rateLimits.ts';
import { sessionHashOf } from './domain/auth.ts';
import { schema } from './schema/index.ts';
import { createContext } from './schema/context.ts';
import { database } from './db/current.ts';

/** Routes outside GraphQL, answered before Yoga looks at the request. */
function useLumenRoutes(): Plugin {
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname === '/graphql') {
        const refusal = await bodyTooLarge(request);
        if (refusal) endResponse(refusal);
        return;
      }
      if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) return endResponse(await handleV1(request, url));
      if (url.pathname === '/healthz') {
        await database().prisma.$queryRaw`SELECT 1`;
        endResponse(Response.json({ status: 'ok' }));
        return;
      }
      if (url.pathname === '/auth/login' || url.pathname.startsWith('/auth/oidc/')) {
        try {
          await consume('signIn', clientAddress(request, serverContext));
        } catch (error) {
          if (!(error instanceof RateLimitedError)) throw error;
          return endResponse(new Response(error.message, { status: 429, headers: { 'retry-after': String(error.retryAfterSeconds) } }));
        }
      }
      const response = (url.pathname.startsWith('/auth/') ? await handleAuthRoute(request, url) : null) ?? (await handleStatic(request, url));
      if (response) endResponse(response);
    },
  };
}

function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    });
  }
  if (original instanceof CsrfError) {
    return new GraphQLError(original.message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
  if (original instanceof RateLimitedError) {
    return new GraphQLError(original.message, {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: original.retryAfterSeconds },
    });
  }
  if (original instanceof CredentialsError) {
    return new GraphQLError(original.message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  if (error instanceof GraphQLError && !error.originalError) return error;
  if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error.originalError;
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Quiet in tests (refusals are expected there); errors and warnings elsewhere. Pino replaces this later. */
const logger = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => config().env !== 'test' && console.warn(...args),
  error: (...args: unknown[]) => config().env !== 'test' && console.error(...args),
};

export const yoga = createYoga({
  logging: logger,
  schema,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: () => config().env === 'development',
  context: async ({ request }) => {
    const session = sessionTokenOf(request);
    return createContext(await viewerOf(request), session ? sessionHashOf(session) : null);
  },
  maskedErrors: { maskError },
  plugins: [useLumenRoutes(), ...armorPlugins(), useIntrospectionPolicy(), useInputErrorCodes()],
});
