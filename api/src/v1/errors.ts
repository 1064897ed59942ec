// OpenAI's error envelope, so that SDKs raise their usual exceptions:
// {"error": {"message", "type", "code", "param"}}.
import { json, type V1Answer } from './exchange.ts';

export class V1Error extends Error {
  /** Sent as retry-after-ms with retry-after, for a refusal that knows its wait to the millisecond (a rate limit). */
  retryAfterMs: number | null = null;

  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    /** Sent as retry-after (seconds), for refusals that pass by themselves. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'V1Error';
  }
}

export const envelope = (e: { message: string; type: string; code: string; param?: string | null }) => ({
  error: { message: e.message, type: e.type, code: e.code, param: e.param ?? null },
});

export function errorAnswer(error: V1Error): V1Answer {
  const headers: Record<string, string> | undefined =
    error.retryAfterSeconds === null ? undefined : { 'retry-after': String(error.retryAfterSeconds) };
  if (headers && error.retryAfterMs !== null) headers['retry-after-ms'] = String(error.retryAfterMs);
  return json(envelope(error), error.status, headers);
}

/** The database cannot be reached (db/unavailable.ts): the request was not admitted, and may be retried shortly. */
export const databaseUnavailable = (retryAfterSeconds: number) =>
  new V1Error(
    503,
    'server_error',
    'database_unavailable',
    'Lumen cannot reach its database right now; retry the request in a few seconds',
    null,
    retryAfterSeconds,
  );

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new V1Error(400, 'invalid_request_error', code, message, param);
