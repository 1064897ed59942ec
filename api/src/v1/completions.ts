// POST /v1/completions, OpenAI's legacy text completions: `prompt` as a string, an array
// of strings, a token array or an array of token arrays; `max_tokens`, `n`, `best_of`,
// `stream` (with stream_options.include_usage), `echo`, `suffix` and the rest forwarded.
// Metered like chat (v1/meteredCall.ts): the worst case is the prompt's bound plus
// max_tokens × max(n, best_of) for each prompt, and the upstream is sent that max_tokens.
// Only CHAT models answer here.
import type { KeyAccess } from '../domain/keyAccess.ts';
import { promptTokenBound } from '../domain/metering.ts';
import { badRequest } from './errors.ts';
import type { V1Answer, V1Request } from './exchange.ts';
import { meteredCall, requireKind, usageOnlyChunk } from './meteredCall.ts';
import { chooseModel } from './modelChoice.ts';
import { positiveInteger, readJsonBody } from './requestBody.ts';
import { textInputs, type TextInput } from './textInputs.ts';

const MAX_PROMPTS = 2048;
const MAX_CHOICES = 128;

export interface CompletionRequest {
  body: Record<string, unknown>;
  model: string;
  prompts: TextInput[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | null;
  n: number;
  /** max(n, best_of): the completions generated per prompt. */
  generated: number;
}

export function parseCompletionRequest(raw: unknown): CompletionRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('The request body must be a JSON object with "model" and "prompt"');
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw badRequest('"model" is required: the name of a model, as listed by GET /v1/models', 'model');
  }
  const prompts = textInputs(body.prompt, 'prompt', MAX_PROMPTS, true);
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw badRequest('"stream" must be true or false', 'stream');
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== 'object' || Array.isArray(streamOptions))) {
    throw badRequest('"stream_options" must be an object such as {"include_usage": true}', 'stream_options');
  }
  if (body.echo !== undefined && body.echo !== null && typeof body.echo !== 'boolean')
    throw badRequest('"echo" must be true or false', 'echo');
  if (body.suffix !== undefined && body.suffix !== null && typeof body.suffix !== 'string')
    throw badRequest('"suffix" must be a string', 'suffix');
  const n = positiveInteger(body, 'n', MAX_CHOICES) ?? 1;
  const bestOf = positiveInteger(body, 'best_of', MAX_CHOICES);
  if (bestOf !== null && bestOf < n) throw badRequest(`"best_of" (${bestOf}) must be at least "n" (${n})`, 'best_of');
  const stream = body.stream === true;
  if (stream && bestOf !== null && bestOf > 1) throw badRequest('"best_of" cannot be used with "stream"', 'best_of');
  return {
    body,
    model: body.model,
    prompts,
    stream,
    includeUsage: Boolean((streamOptions as { include_usage?: unknown } | null | undefined)?.include_usage),
    maxTokens: positiveInteger(body, 'max_tokens'),
    n,
    generated: Math.max(n, bestOf ?? 1),
  };
}

export async function completions(request: V1Request, access: KeyAccess, keyHash: string): Promise<V1Answer> {
  const started = performance.now();
  const completion = parseCompletionRequest(await readJsonBody(request));
  const { model } = await chooseModel(access, keyHash, completion.model);
  request.model = model.name;
  requireKind(model, 'CHAT');
  // max_tokens applies to each completion generated (best_of's too), for each prompt.
  const maxOutputTokens = Math.min(completion.maxTokens ?? model.maxOutputTokens, model.maxOutputTokens);
  const body: Record<string, unknown> = { ...completion.body, max_tokens: maxOutputTokens };
  const generated = completion.generated * completion.prompts.length;
  const bounds = {
    inputTokens: promptTokenBound([body.prompt, body.suffix]),
    outputTokens: maxOutputTokens * generated,
  };
  const call = {
    model,
    body,
    maxOutputTokens,
    n: generated,
    prompts: completion.prompts,
    choicesPerPrompt: completion.n,
    generatedPerPrompt: completion.generated,
  };
  if (!completion.stream)
    return meteredCall(request, access, model, bounds, started, {
      stream: false,
      call: (provider, signal) => provider.completeText({ ...call, signal }),
    });
  return meteredCall(request, access, model, bounds, started, {
    stream: true,
    call: (provider, signal) => provider.streamText({ ...call, signal }),
    usageChunk: completion.includeUsage ? (last, usage) => usageOnlyChunk('text_completion', model, last, usage) : null,
  });
}
