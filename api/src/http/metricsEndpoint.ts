// GET /metrics, in Prometheus' text format; with LUMEN_METRICS_TOKEN set, only for
// `Authorization: Bearer <it>`.
import type { Plugin } from 'graphql-yoga';
import { config } from '../config.ts';
import { registry } from '../metrics.ts';

export function useMetricsEndpoint(): Plugin {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/metrics') return;
      const token = config().metricsToken;
      if (token && request.headers.get('authorization') !== `Bearer ${token}`)
        return endResponse(new Response('Unauthorized', { status: 401 }));
      endResponse(new Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }));
    },
  };
}
