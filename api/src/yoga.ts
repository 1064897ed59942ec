// The one HTTP entry point: GraphQL at /graphql, plus sign-in routes, health,
// /v1 and the admin UI. Tests call app.fetch (below) directly, without a port.
import { createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { DomainError } from './domain/errors.ts';
import { handleAuthRoute } from './http/authRoutes.ts';
import { BadRequestError } from './http/badRequest.ts';
import { withLastResort } from './http/lastResort.ts';
import { useSecurityHeaders } from './http/securityHeaders.ts';
import { useInputErrorCodes } from './http/inputErrorCodes.ts';
import { handleStatic } from './http/staticFiles.ts';
import { graphiqlEnabled, handleGraphiqlAsset, renderGraphiQL, useGraphiqlPolicy } from './http/graphiql.ts';
import { handleV1 } from './v1/handler.ts';
import { accessTokenOf, CredentialsError, CsrfError, sessionTokenOf, viewerOf } from './http/viewer.ts';
import { armorPlugins, bodyTooLarge, quietInProduction, useIntrospectionPolicy } from './http/hardening.ts';
import { clientAddress, consume, RateLimitedError } from './http/rateLimits.ts';
import { corsOptionsOf, useVaryOrigin } from './http/cors.ts';
import { accessTokenHashOf, sessionHashOf } from './domain/auth.ts';
import { schema } from './schema/index.ts';
import { createContext } from './schema/context.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './db/unavailable.ts';
import { readinessResponse } from './http/health.ts';
import { useGraphqlMetrics } from './http/graphqlMetrics.ts';
import { useObservability } from './http/observability.ts';
import { log } from './log.ts';
import { registry } from './metrics.ts';

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
      // Liveness: answering is the proof, so no database query (an outage must not get every instance restarted).
      if (url.pathname === '/healthz') return endResponse(Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));
      if (url.pathname === '/readyz') return endResponse(await readinessResponse());
      if (url.pathname === '/auth/login' || url.pathname.startsWith('/auth/oidc/')) {
        try {
          await consume('signIn', clientAddress(request, serverContext));
        } catch (error) {
          if (!(error instanceof RateLimitedError)) throw error;
          return endResponse(new Response(error.message, { status: 429, headers: { 'retry-after': String(error.retryAfterSeconds) } }));
        }
      }
      const response =
        (url.pathname.startsWith('/auth/') ? await handleAuthRoute(request, url) : null) ??
        (await handleGraphiqlAsset(request, url)) ??
        (await handleStatic(request, url));
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
  if (original instanceof BadRequestError) {
    return new GraphQLError(original.message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
  }
  if (isDatabaseUnavailable(original)) {
    return new GraphQLError('Lumen cannot reach its database right now; retry in a few seconds', {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } } },
    });
  }
  if (original instanceof CredentialsError) {
    return new GraphQLError(original.message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  if (error instanceof GraphQLError && !error.originalError) return quietInProduction(error);
  if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error.originalError;
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Yoga's own messages go to the structured log. */
const logger = {
  debug: (...args: unknown[]) => log.debug({ yoga: args.map(String) }, 'yoga'),
  info: (...args: unknown[]) => log.info({ yoga: args.map(String) }, 'yoga'),
  warn: (...args: unknown[]) => log.warn({ yoga: args.map(String) }, 'yoga'),
  error: (...args: unknown[]) => {
    const err = args.find((a) => a instanceof Error);
    // A refused query (a limit, a syntax error) is the caller's problem, not the server's.
    if (err instanceof GraphQLError && !err.originalError) return log.warn({ refused: err.message }, 'graphql request refused');
    log.error({ err, yoga: args.filter((a) => !(a instanceof Error)).map(String) }, 'yoga error');
  },
};

/** GET /metrics, in Prometheus' text format; with LUMEN_METRICS_TOKEN set, only for `Authorization: Bearer <it>`. */
function useMetricsEndpoint(): Plugin {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/metrics') return;
      const token = process.env.LUMEN_METRICS_TOKEN;
      if (token && request.headers.get('authorization') !== `Bearer ${token}`)
        return endResponse(new Response('Unauthorized', { status: 401 }));
      endResponse(new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }));
    },
  };
}

export const yoga = createYoga({
  logging: logger,
  schema,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  // Development only, from same-origin files (http/graphiql.ts).
  graphiql: graphiqlEnabled,
  renderGraphiQL,
  // Yoga's default reflects any Origin with credentials; see http/cors.ts.
  cors: corsOptionsOf,
  context: async ({ request }) => {
    const session = sessionTokenOf(request);
    const token = accessTokenOf(request);
    return createContext(await viewerOf(request), session ? sessionHashOf(session) : null, token ? accessTokenHashOf(token) : null);
  },
  maskedErrors: { maskError },
  plugins: [
    useObservability(),
    useVaryOrigin(),
    useMetricsEndpoint(),
    useLumenRoutes(),
    useGraphiqlPolicy(),
    useGraphqlMetrics(),
    ...armorPlugins(),
    useIntrospectionPolicy(),
    useInputErrorCodes(),
  ],
});

/** Yoga behind the last resort (http/lastResort.ts), with browser protections on every answer: what the server listens with and tests call. */
export const app = withLastResort(yoga, [useSecurityHeaders()]);
