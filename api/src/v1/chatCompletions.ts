// POST /v1/chat/completions: check, reserve the worst-case cost, forward to the
// model's provider with the output limit that was reserved for, then settle the
// reservation to the actual cost and record the usage (the metered flow is
// v1/meteredCall.ts, shared with /v1/completions and /v1/embeddings).
import type { KeyAccess } from '../domain/keyAccess.ts';
import { promptTokenBound } from '../domain/metering.ts';
import type { V1Answer, V1Request } from './exchange.ts';
import { meteredCall, requireKind, usageOnlyChunk } from './meteredCall.ts';
import { chooseModel } from './modelChoice.ts';
import { parseChatRequest, readJsonBody, withOutputLimit } from './requestBody.ts';

export async function chatCompletions(request: V1Request, access: KeyAccess, keyHash: string): Promise<V1Answer> {
  const started = performance.now();
  const chat = parseChatRequest(await readJsonBody(request));
  const { model } = await chooseModel(access, keyHash, chat.model);
  request.model = model.name;
  requireKind(model, 'CHAT');
  // max_tokens applies to each of the n choices.
  const maxOutputTokens = Math.min(chat.maxTokens ?? model.maxOutputTokens, model.maxOutputTokens);
  const body = withOutputLimit(chat.body, maxOutputTokens);
  const bounds = {
    inputTokens: promptTokenBound([body.messages, body.tools, body.functions, body.tool_choice, body.response_format]),
    outputTokens: maxOutputTokens * chat.n,
  };
  const call = { model, body, maxOutputTokens, n: chat.n };
  if (!chat.stream)
    return meteredCall(request, access, model, bounds, started, {
      stream: false,
      call: (provider, signal) => provider.complete({ ...call, signal }),
    });
  return meteredCall(request, access, model, bounds, started, {
    stream: true,
    call: (provider, signal) => provider.stream({ ...call, signal }),
    usageChunk: chat.includeUsage ? (last, usage) => usageOnlyChunk('chat.completion.chunk', model, last, usage) : null,
  });
}
