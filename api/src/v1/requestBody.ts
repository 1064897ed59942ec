// Checks a chat completion request just enough to meter it safely; everything
// else, including fields Lumen does not know, is left for the upstream to judge.
import { badRequest, V1Error } from './errors.ts';
import type { V1Request } from './exchange.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_CHOICES = 128;

export interface ChatRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  includeUsage: boolean;
  /** max_completion_tokens or max_tokens, when given. */
  maxTokens: number | null;
  n: number;
}

const tooLarge = () =>
  new V1Error(
    413,
    'invalid_request_error',
    'request_too_large',
    `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB; send a smaller request`,
  );

/**
 * The body's bytes, read chunk by chunk and given up as soon as they pass the limit:
 * a chunked body has no Content-Length to check first, and must not be held whole.
 */
async function readLimited(request: V1Request): Promise<Uint8Array> {
  const body = request.body();
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early (a throw) cancels the rest of the body.
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export async function readJsonBody(request: V1Request): Promise<unknown> {
  const length = Number(request.header('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) throw tooLarge();
  const text = new TextDecoder().decode(await readLimited(request));
  if (!text.trim())
    throw badRequest(
      'The request body is empty; send a JSON object such as {"model": "...", "messages": [{"role": "user", "content": "Hello"}]}',
    );
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON (${(error as Error).message}); send Content-Type: application/json`);
  }
}

export function positiveInteger(body: Record<string, unknown>, field: string, max = Number.MAX_SAFE_INTEGER): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw badRequest(`${field} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)?.slice(0, 40)})`, field);
  }
  return value;
}

export function parseChatRequest(raw: unknown): ChatRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('The request body must be a JSON object with "model" and "messages"');
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw badRequest('"model" is required: the name of a model, as listed by GET /v1/models', 'model');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw badRequest('"messages" must be a non-empty array such as [{"role": "user", "content": "Hello"}]', 'messages');
  }
  body.messages.forEach((message, i) => {
    if (!message || typeof message !== 'object' || Array.isArray(message) || typeof (message as { role?: unknown }).role !== 'string') {
      throw badRequest(`messages[${i}] must be an object with a "role" such as "user"`, `messages[${i}]`);
    }
  });
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw badRequest('"stream" must be true or false', 'stream');
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions))) {
    throw badRequest('"stream_options" must be an object such as {"include_usage": true}', 'stream_options');
  }
  // Both are checked, as both are forwarded (see withOutputLimit).
  const maxCompletionTokens = positiveInteger(body, 'max_completion_tokens');
  const maxTokensField = positiveInteger(body, 'max_tokens');
  const maxTokens = maxCompletionTokens ?? maxTokensField;
  return {
    body,
    model: body.model,
    stream: body.stream === true,
    includeUsage: Boolean((streamOptions as { include_usage?: unknown } | null | undefined)?.include_usage),
    maxTokens,
    n: positiveInteger(body, 'n', MAX_CHOICES) ?? 1,
  };
}

/**
 * The body to forward, with the output limit Lumen reserved coins for: the caller's
 * max_completion_tokens and max_tokens lowered to it, or max_tokens set to it when the
 * caller sent neither. So a well-behaved upstream never produces more than was
 * reserved, and its reported tokens are billed at list price exactly.
 */
export function withOutputLimit(body: Record<string, unknown>, maxOutputTokens: number): Record<string, unknown> {
  const limited = { ...body };
  let sent = false;
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    if (typeof limited[field] === 'number') {
      limited[field] = Math.min(limited[field] as number, maxOutputTokens);
      sent = true;
    }
  }
  if (!sent) limited.max_tokens = maxOutputTokens;
  return limited;
}
