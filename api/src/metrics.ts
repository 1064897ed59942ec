// Prometheus metrics (prom-client). GraphQL operations are counted by the Guild's
// Yoga plugin; these are Lumen's own: HTTP by route, /v1 by model, coins, refusals.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { redisDegradedSeconds, redisStatus } from './events/redis.ts';
import { settlementStats, unsettledCount } from './domain/settlementQueue.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'lumen_process_' });

const httpRequests = new Counter({
  name: 'lumen_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['route', 'method', 'status'],
  registers: [registry],
});
const httpDuration = new Histogram({
  name: 'lumen_http_request_duration_seconds',
  help: 'HTTP request duration by route',
  labelNames: ['route'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
const v1Requests = new Counter({
  name: 'lumen_v1_requests_total',
  help: '/v1 requests by model and status',
  labelNames: ['model', 'status'],
  registers: [registry],
});
const v1Duration = new Histogram({
  name: 'lumen_v1_request_duration_seconds',
  help: '/v1 request duration by model',
  labelNames: ['model'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});
const coinsSpent = new Counter({
  name: 'lumen_coins_spent_total',
  help: 'Coins charged for metered requests, by model (a float view of exact amounts, for graphs)',
  labelNames: ['model'],
  registers: [registry],
});
const poolRefusals = new Counter({
  name: 'lumen_pool_refusals_total',
  help: 'Requests refused for lack of coins, by pool state',
  labelNames: ['state'],
  registers: [registry],
});

/** Paths answered as they are: the API's own routes and the sign-in routes (authRoutes.ts, oidc.ts). */
const ROUTES = new Set([
  '/graphql',
  '/healthz',
  '/readyz',
  '/metrics',
  '/auth/login',
  '/auth/logout',
  '/auth/oidc/start',
  '/auth/oidc/callback',
]);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Route label: a fixed template, never the path a caller sent (which would let anyone
 * add series without bound): no ids, no query strings, unknown paths lumped together.
 */
export function routeOf(pathname: string): string {
  if (ROUTES.has(pathname)) return pathname;
  if (pathname.startsWith('/v1/'))
    return pathname.startsWith('/v1/chat/completions')
      ? '/v1/chat/completions'
      : pathname.startsWith('/v1/completions')
        ? '/v1/completions'
        : pathname.startsWith('/v1/embeddings')
          ? '/v1/embeddings'
          : pathname.startsWith('/v1/models')
            ? '/v1/models'
            : '/v1/other';
  if (pathname.startsWith('/auth/')) return '/auth/other';
  return 'static';
}

export function recordHttp(pathname: string, method: string, status: number, seconds: number): void {
  const route = routeOf(pathname);
  httpRequests.inc({ route, method: METHODS.has(method) ? method : 'other', status: String(status) });
  httpDuration.observe({ route }, seconds);
}

export function recordV1(model: string, status: number, seconds: number): void {
  v1Requests.inc({ model, status: String(status) });
  v1Duration.observe({ model }, seconds);
}

export function recordCoins(model: string, coins: { toNumber(): number }): void {
  coinsSpent.inc({ model }, coins.toNumber());
}

export function recordPoolRefusal(state: string): void {
  poolRefusals.inc({ state });
}

// Labelled by the name of a model Lumen chose (a known model), never by what a caller typed.
const upstreamOvershoots = new Counter({
  name: 'lumen_upstream_overshoot_total',
  help: 'Upstream answers that reported more tokens than they were allowed (max_tokens × n, or the prompt bound), by model (a LIMITED pool is billed for them only up to the reservation)',
  labelNames: ['model'],
  registers: [registry],
});

export function recordOvershoot(model: string): void {
  upstreamOvershoots.inc({ model });
}

// Redis, read when scraped: whether this instance reaches it, and for how long it has not (rate limits per instance, events local).
new Gauge({
  name: 'lumen_redis_up',
  help: '0 while REDIS_URL is set but this instance cannot reach Redis; 1 otherwise (reached, or no REDIS_URL)',
  registers: [registry],
  collect() {
    this.set(redisStatus() === 'down' ? 0 : 1);
  },
});
countedWhenScraped(
  'lumen_redis_degraded_seconds_total',
  'Seconds this instance spent with REDIS_URL set but Redis unreachable (events local, invalidations polled from PostgreSQL, rate limits per instance)',
  redisDegradedSeconds,
);

// Usage of answered /v1 requests that waits for an unreachable database (domain/settlementQueue.ts).
new Gauge({
  name: 'lumen_unsettled_requests',
  help: 'Answered /v1 requests whose usage waits in this instance for the database to come back (their coins stay reserved)',
  registers: [registry],
  collect() {
    this.set(unsettledCount());
  },
});

// Group commit at work: settlements per batch is the ratio of the two.
countedWhenScraped(
  'lumen_settlement_batches_total',
  'Settlement batches committed (one statement each; see lumen_settlements_total for the requests they covered)',
  () => settlementStats().batches,
);
countedWhenScraped(
  'lumen_settlements_total',
  'Settlements (answered /v1 requests) committed, in batches',
  () => settlementStats().settlements,
);

/** A counter that follows a total kept elsewhere (read when scraped), so the hot path does no metrics work for it. */
function countedWhenScraped(name: string, help: string, total: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = total();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}
