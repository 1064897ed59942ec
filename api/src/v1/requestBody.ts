// Checks a chat completion request just enough to meter it safely; everything
// else, including fields Lumen does not know, is left for the upstream to judge.
import { badRequest, V1Error } from './errors.ts';

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

export async function readJsonBody(request: Request): Promise<unknown> {
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) throw new V1Error(413, 'invalid_request_error', 'request_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new V1Error(413, 'invalid_request_error', 'request_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`);
  if (!text.trim()) throw badRequest('The request body is empty; send a JSON object such as {"model": "...", "messages": [{"role": "user", "content": "Hello"}]}');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON (${(error as Error).message}); send Content-Type: application/json`);
  }
}

function positiveInteger(body: Record<string, unknown>, field: string, max = Number.MAX_SAFE_INTEGER): number | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw badRequest(`${field} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)?.slice(0, 40)})`, field);
  }
  return value;
}

export function parseChatRequest(raw: unknown): ChatRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('The request body must be a JSON object with "model" and "messages"');
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
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw badRequest('"stream" must be true or false', 'stream');
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions))) {
    throw badRequest('"stream_options" must be an object such as {"include_usage": true}', 'stream_options');
  }
  const maxTokens = positiveInteger(body, 'max_completion_tokens') ?? positiveInteger(body, 'max_tokens');
  return {
    body,
    model: body.model,
    stream: body.stream === true,
    includeUsage: Boolean((streamOptions as { include_usage?: unknown } | null | undefined)?.include_usage),
    maxTokens,
    n: positiveInteger(body, 'n', MAX_CHOICES) ?? 1,
  };
}
