// GET /metrics, in Prometheus' text format; with LUMEN_METRICS_TOKEN set, only for
// `Authorization: Bearer <it>` (the answer is probes.ts's, which node:http also serves).
import type { Plugin } from 'graphql-yoga';
import { metricsAnswer, toResponse } from './probes.ts';

export function useMetricsEndpoint(): Plugin {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/metrics') return;
      endResponse(toResponse(await metricsAnswer(request.headers.get('authorization'))));
    },
  };
}
