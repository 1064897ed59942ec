// Routes outside GraphQL, answered before Yoga looks at the request: /v1, health,
// the usage CSV export, sign-in, GraphiQL's files and the admin UI. /graphql only has its body size checked here.
import type { Plugin } from 'graphql-yoga';
import { handleV1 } from '../v1/fetchRoute.ts';
import { handleAuthRoute } from './authRoutes.ts';
import { handleGraphiqlAsset } from './graphiql.ts';
import { bodyTooLarge } from './hardening.ts';
import { livenessAnswer, readinessAnswer, toResponse } from './probes.ts';
import { clientAddress, consume, RateLimitedError } from './rateLimits.ts';
import { handleStatic } from './staticFiles.ts';
import { handleUsageExport, USAGE_EXPORT_PATH } from './usageExport.ts';

const isSignIn = (pathname: string) => pathname === '/auth/login' || pathname.startsWith('/auth/oidc/');

export function useLumenRoutes(): Plugin {
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname === '/graphql') {
        const refusal = await bodyTooLarge(request);
        if (refusal) endResponse(refusal);
        return;
      }
      if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) return endResponse(await handleV1(request, url));
      // The same answers as node:http gives them (probes.ts).
      if (url.pathname === USAGE_EXPORT_PATH) return endResponse(await handleUsageExport(request, url));
      if (url.pathname === '/healthz') return endResponse(toResponse(livenessAnswer()));
      if (url.pathname === '/readyz') return endResponse(toResponse(await readinessAnswer()));
      if (isSignIn(url.pathname)) {
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
    onResponse({ request, response }) {
      // The usage export is a download for the signed-in browser or a script, never for another
      // site's page: no CORS headers even for a LUMEN_CORS_ORIGINS origin (http/usageExport.ts).
      if (new URL(request.url).pathname !== USAGE_EXPORT_PATH) return;
      for (const name of [...response.headers.keys()]) if (name.startsWith('access-control-')) response.headers.delete(name);
    },
  };
}
