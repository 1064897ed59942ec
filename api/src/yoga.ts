// The one HTTP entry point: GraphQL at /graphql, and through http/routes.ts sign-in,
// health, /v1 and the admin UI. Tests call app.fetch (below) directly, without a port.
import { createYoga } from 'graphql-yoga';
import { contextOf } from './http/context.ts';
import { useVaryOrigin, corsOptionsOf } from './http/cors.ts';
import { graphiqlEnabled, renderGraphiQL, useGraphiqlPolicy } from './http/graphiql.ts';
import { useGraphqlMetrics } from './http/graphqlMetrics.ts';
import { armorPlugins, useIntrospectionPolicy } from './http/hardening.ts';
import { useInputErrorCodes } from './http/inputErrorCodes.ts';
import { withLastResort } from './http/lastResort.ts';
import { maskError } from './http/maskError.ts';
import { useMetricsEndpoint } from './http/metricsEndpoint.ts';
import { useObservability } from './http/observability.ts';
import { useLumenRoutes } from './http/routes.ts';
import { useSecurityHeaders } from './http/securityHeaders.ts';
import { yogaLogger } from './http/yogaLogger.ts';
import { schema } from './schema/index.ts';

export const yoga = createYoga({
  logging: yogaLogger,
  schema,
  graphqlEndpoint: '/graphql',
  landingPage: false,
  // Development, or LUMEN_GRAPHIQL=true; from same-origin files (http/graphiql.ts).
  graphiql: graphiqlEnabled,
  renderGraphiQL,
  // Yoga's default reflects any Origin with credentials; see http/cors.ts.
  cors: corsOptionsOf,
  context: ({ request }) => contextOf(request),
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
