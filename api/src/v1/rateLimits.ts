// /v1's side of the rate limits (domain/rateLimits.ts, domain/rateWindows.ts): admitting a
// request within its key's and its owner's limits (429 rate_limit_exceeded otherwise, with
// retry-after), and OpenAI's x-ratelimit-* headers on every answer to a key with a limit.
import type { KeyAccess } from '../domain/keyAccess.ts';
import type { RateLimitScope } from '../domain/rateLimits.ts';
import { admit, isRefusal, windowState, type Dimension, type RateAdmission, type RateRefusal } from '../domain/rateWindows.ts';
import { V1Error } from './errors.ts';
import type { V1Answer, V1Request } from './exchange.ts';

/** The caller of each request, once authenticated: its answer gets the headers of its limits. */
const callers = new WeakMap<V1Request, KeyAccess>();

export function noteCaller(request: V1Request, access: KeyAccess): void {
  if (access.rateLimits.length > 0) callers.set(request, access);
}

/**
 * A duration as OpenAI writes its resets (`1s`, `6m0s`, `1h2m3s`), in whole seconds rounded
 * up: waiting that long always finds the window reset.
 */
export function formatReset(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function whose(scope: RateLimitScope, access: KeyAccess): string {
  if (scope.level === 'key') return `this key (${access.hint})`;
  if (scope.level === 'client') return `client "${access.ownerName}" (all its keys together)`;
  return 'your personal keys together';
}

function refusal(result: RateRefusal, access: KeyAccess, worstTokens: number): V1Error {
  const scope = result.scope as RateLimitScope;
  const reset = formatReset(result.resetMs);
  const what =
    result.dimension === 'requests'
      ? `${result.limit} requests per minute`
      : `${result.limit} tokens per minute (this request counts up to ${worstTokens}: its prompt's bound plus max_tokens, until it is settled)`;
  const error = new V1Error(
    429,
    'rate_limit_exceeded',
    'rate_limit_exceeded',
    `Rate limit reached for ${whose(scope, access)}: ${what}. The limit resets in ${reset}; retry then.`,
    null,
    Math.max(1, Math.ceil(result.resetMs / 1000)),
  );
  error.retryAfterMs = Math.max(1, Math.ceil(result.resetMs));
  return error;
}

/**
 * Counts the request in its key's and owner's windows (a no-op without limits), or refuses it
 * with 429. Call just before the coins are reserved; settle or release what it returns. No
 * promise unless a slice had to be borrowed from Redis.
 */
export function admitWithinRateLimits(access: KeyAccess, worstTokens: number): RateAdmission | Promise<RateAdmission> {
  const result = admit(access.rateLimits, worstTokens);
  if (result instanceof Promise) return result.then((settled) => admitted(settled, access, worstTokens));
  return admitted(result, access, worstTokens);
}

function admitted(result: RateAdmission | RateRefusal, access: KeyAccess, worstTokens: number): RateAdmission {
  if (isRefusal(result)) throw refusal(result, access, worstTokens);
  return result;
}

/** OpenAI's x-ratelimit-* headers for the tighter level of each kind of limit; none when no limit applies. */
export function rateLimitHeaders(access: KeyAccess): Record<string, string> | null {
  let headers: Record<string, string> | null = null;
  for (const dimension of ['requests', 'tokens'] as const satisfies readonly Dimension[]) {
    let tightest: { limit: number; remaining: number; resetMs: number } | null = null;
    for (const scope of access.rateLimits) {
      const limit = scope[dimension];
      if (limit === null) continue;
      const state = windowState(scope.scope);
      const remaining = Math.max(0, limit - state[dimension]);
      if (!tightest || remaining < tightest.remaining || (remaining === tightest.remaining && limit < tightest.limit))
        tightest = { limit, remaining, resetMs: state.resetMs };
    }
    if (!tightest) continue;
    headers ??= {};
    headers[`x-ratelimit-limit-${dimension}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${dimension}`] = String(tightest.remaining);
    headers[`x-ratelimit-reset-${dimension}`] = formatReset(tightest.resetMs);
  }
  return headers;
}

/** The answer with the headers of its caller's limits, if it has any. */
export function withRateLimitHeaders(request: V1Request, answer: V1Answer): V1Answer {
  const access = callers.get(request);
  if (!access) return answer;
  const headers = rateLimitHeaders(access);
  if (!headers) return answer;
  // The answer object is this request's own, but its headers may be shared (SSE_HEADERS): a new set.
  answer.headers = answer.headers ? { ...answer.headers, ...headers } : headers;
  return answer;
}
