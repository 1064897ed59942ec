// The `openai-compatible` provider: forwards the request (chat completions, legacy
// completions, embeddings), unknown fields and all, to the model's upstream (OpenAI,
// vLLM, llama.cpp, ...) at upstreamBaseUrl, with the key read from the environment
// variable named by upstreamKeyEnv (only a LUMEN_UPSTREAM_KEY_<NAME> one; see
// domain/upstreamKeys.ts). Upstream failures come back as OpenAI-style errors; a
// streaming client that goes away aborts the upstream request, and what was
// produced until then is billed.
//
// LUMEN_UPSTREAM_TIMEOUT_MS (config.ts, default 300000) bounds the wait for the
// upstream's answer and, when streaming, the silence between two chunks.
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { config } from '../config.ts';
import { isAllowedUpstreamKeyEnv, refusedUpstreamKeyEnv } from '../domain/upstreamKeys.ts';
import type { Model } from '../generated/prisma/client.ts';
import {
  type ChatCall,
  type CompleteResult,
  type EmbeddingCall,
  type Provider,
  type StreamResult,
  type TokenUsage,
  UpstreamError,
} from './types.ts';

/** When the upstream reports no usage (or the client left first): about 4 bytes per token. */
export const estimateTokens = (value: unknown) =>
  value === undefined ? 0 : Math.ceil(Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value), 'utf8') / 4);

/** An estimate of the output never exceeds what the upstream was allowed: only a count it reports can show an overshoot. */
const allowedOutput = (call: ChatCall) => call.maxOutputTokens * call.n;

function usageFrom(value: unknown): TokenUsage | null {
  const usage = value as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
  if (!usage || typeof usage !== 'object') return null;
  const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  return input === null || output === null ? null : { inputTokens: input, outputTokens: output };
}

/** Aborts on the client's signal, or after `ms` of silence (restarted by `touch`). */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ms: number,
    clientSignal: AbortSignal,
  ) {
    if (clientSignal.aborted) this.controller.abort(clientSignal.reason);
    else clientSignal.addEventListener('abort', () => this.controller.abort(clientSignal.reason), { once: true });
    this.touch();
  }

  touch() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('upstream timeout'));
    }, this.ms);
  }

  clear() {
    if (this.timer) clearTimeout(this.timer);
  }
}

function timeoutError(model: Model, ms: number) {
  return new UpstreamError(
    504,
    'upstream_timeout',
    `The upstream of model ${model.name} did not answer within ${ms / 1000} s; try again later`,
    'timeout',
  );
}

async function send(
  call: Pick<ChatCall, 'model' | 'signal'>,
  body: Record<string, unknown>,
  deadline: Deadline,
  timeoutMs: number,
  path: string,
): Promise<Response> {
  const { model } = call;
  if (!model.upstreamBaseUrl) {
    throw new UpstreamError(
      500,
      'model_misconfigured',
      `Model ${model.name} has no upstream base URL; an admin must fix the model`,
      'error',
    );
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: body.stream ? 'text/event-stream' : 'application/json',
  };
  if (model.upstreamKeyEnv) {
    // Checked here, where the variable is read, so that no stored model can send another variable's value.
    // Read per request, not in config.ts: which variable is a model's choice, made while Lumen runs.
    if (!isAllowedUpstreamKeyEnv(model.upstreamKeyEnv)) {
      throw new UpstreamError(502, 'upstream_key_env_not_allowed', refusedUpstreamKeyEnv(model.name, model.upstreamKeyEnv), 'error');
    }
    const key = process.env[model.upstreamKeyEnv];
    if (!key) {
      throw new UpstreamError(
        500,
        'upstream_key_missing',
        `The environment variable ${model.upstreamKeyEnv}, which holds the upstream key of model ${model.name}, is not set on this Lumen instance; an admin must set it`,
        'error',
      );
    }
    headers.authorization = `Bearer ${key}`;
  }
  let response: Response;
  try {
    response = await fetch(`${model.upstreamBaseUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...body, model: model.upstreamModel }),
      signal: deadline.controller.signal,
    });
  } catch (error) {
    if (deadline.timedOut) throw timeoutError(model, timeoutMs);
    if (call.signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new UpstreamError(
      502,
      'upstream_unreachable',
      `Could not reach the upstream of model ${model.name} (${cause?.code ?? cause?.message ?? String(error)}); try again later`,
      'error',
    );
  }
  if (!response.ok) throw await upstreamFailure(model, response, deadline, timeoutMs);
  return response;
}

async function upstreamFailure(model: Model, response: Response, deadline: Deadline, timeoutMs: number): Promise<UpstreamError> {
  let detail = '';
  let upstreamCode: string | null = null;
  try {
    const text = (await response.text()).slice(0, 2000);
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown };
      const error = parsed.error;
      detail = String((typeof error === 'object' ? error?.message : error) ?? parsed.message ?? text);
      if (typeof error === 'object' && typeof error?.code === 'string') upstreamCode = error.code;
    } catch {
      detail = text;
    }
  } catch {
    if (deadline.timedOut) return timeoutError(model, timeoutMs);
  }
  detail = detail.trim().slice(0, 500);
  const said = detail ? `: ${detail}` : '';
  const status = response.status;
  if (status === 400 || status === 413 || status === 422) {
    return new UpstreamError(
      400,
      upstreamCode ?? 'upstream_rejected_request',
      `The upstream of model ${model.name} rejected the request${said}`,
      null,
    );
  }
  if (status === 401 || status === 403) {
    return new UpstreamError(
      502,
      'upstream_auth_failed',
      `The upstream of model ${model.name} refused Lumen's credentials (HTTP ${status}); an admin must check the key in ${model.upstreamKeyEnv ?? "the model's upstreamKeyEnv"}`,
      'error',
    );
  }
  if (status === 429) {
    return new UpstreamError(
      429,
      'upstream_rate_limited',
      `The upstream of model ${model.name} is rate-limiting Lumen${said}; try again shortly`,
      'error',
      'rate_limit_error',
    );
  }
  return new UpstreamError(502, 'upstream_error', `The upstream of model ${model.name} failed (HTTP ${status})${said}`, 'error');
}

/** The prompt, to estimate its tokens: a chat's messages, a legacy completion's prompt. */
const promptOf = (call: ChatCall) => call.body.messages ?? call.body.prompt;

/** A whole answer from `path` (/chat/completions or /completions). */
/** A whole (non-streamed) upstream answer's JSON; a timeout, the caller leaving, or a body that is not JSON otherwise. */
async function jsonAnswer(
  response: Response,
  call: { model: Model; signal: AbortSignal },
  deadline: Deadline,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch (error) {
    if (deadline.timedOut) throw timeoutError(call.model, timeoutMs);
    if (call.signal.aborted) throw error;
    throw new UpstreamError(502, 'upstream_error', `The upstream of model ${call.model.name} sent an answer that is not JSON`, 'error');
  }
}

async function completeAt(path: string, call: ChatCall): Promise<CompleteResult> {
  const timeoutMs = config().upstreamTimeoutMs;
  const deadline = new Deadline(timeoutMs, call.signal);
  try {
    const response = await send(call, call.body, deadline, timeoutMs, path);
    const body = await jsonAnswer(response, call, deadline, timeoutMs);
    const usage = usageFrom(body.usage) ?? {
      inputTokens: estimateTokens(promptOf(call)),
      outputTokens: Math.min(
        estimateTokens((body.choices as { message?: unknown; text?: unknown }[] | undefined)?.map((c) => c?.message ?? c?.text)),
        allowedOutput(call),
      ),
    };
    // The upstream's own model name is an admin's detail; clients asked for Lumen's.
    return { body: { ...body, model: call.model.name }, usage };
  } finally {
    deadline.clear();
  }
}

/** A streamed answer from `path` (/chat/completions or /completions). */
async function streamAt(path: string, call: ChatCall): Promise<StreamResult> {
  const timeoutMs = config().upstreamTimeoutMs;
  const deadline = new Deadline(timeoutMs, call.signal);
  const streamOptions = typeof call.body.stream_options === 'object' && call.body.stream_options ? call.body.stream_options : {};
  // Always ask for usage, so that billing uses the upstream's own count.
  const body = { ...call.body, stream: true, stream_options: { ...streamOptions, include_usage: true } };
  let response: Response;
  try {
    response = await send(call, body, deadline, timeoutMs, path);
  } catch (error) {
    deadline.clear();
    throw error;
  }
  let reported: TokenUsage | null = null;
  let produced = 0;
  const estimatedInput = estimateTokens(promptOf(call));
  async function* chunks() {
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    try {
      for (;;) {
        let next: ReadableStreamReadResult<{ data: string }>;
        try {
          next = await reader.read();
        } catch (error) {
          if (deadline.timedOut) throw timeoutError(call.model, timeoutMs);
          if (call.signal.aborted) return;
          throw new UpstreamError(502, 'upstream_error', `The upstream of model ${call.model.name} broke off the stream`, 'error');
        }
        if (next.done) return;
        deadline.touch();
        const data = next.value.data.trim();
        if (data === '[DONE]') return;
        let chunk: Record<string, unknown>;
        try {
          chunk = JSON.parse(data) as Record<string, unknown>;
        } catch {
          continue; // not a chunk (a keep-alive or a comment some servers send)
        }
        if (chunk.error) {
          const error = chunk.error as { message?: unknown };
          throw new UpstreamError(
            502,
            'upstream_error',
            `The upstream of model ${call.model.name} failed mid-stream: ${String(error.message ?? JSON.stringify(error)).slice(0, 500)}`,
            'error',
          );
        }
        reported = usageFrom(chunk.usage) ?? reported;
        const choices = Array.isArray(chunk.choices)
          ? (chunk.choices as { delta?: { content?: unknown; tool_calls?: unknown }; text?: unknown }[])
          : [];
        if (choices.length === 0) continue; // the usage-only chunk: Lumen sends its own
        produced += choices.filter((c) => c?.delta?.content || c?.delta?.tool_calls || c?.text).length;
        const { usage: _usage, ...forwarded } = chunk;
        yield { ...forwarded, model: call.model.name };
      }
    } finally {
      deadline.clear();
      // Stops the upstream request when the client left early (or anything else ended the loop).
      if (!deadline.controller.signal.aborted) deadline.controller.abort(new Error('stream ended'));
      reader.releaseLock();
    }
  }
  return {
    chunks: chunks(),
    usage: () => reported ?? { inputTokens: estimatedInput, outputTokens: Math.min(produced, allowedOutput(call)) },
  };
}

/** An embeddings answer's usage: prompt_tokens only. */
function embeddingUsageFrom(value: unknown): TokenUsage | null {
  const tokens = (value as { prompt_tokens?: unknown } | null | undefined)?.prompt_tokens;
  return typeof tokens === 'number' && Number.isSafeInteger(tokens) && tokens >= 0 ? { inputTokens: tokens, outputTokens: 0 } : null;
}

async function embed(call: EmbeddingCall): Promise<CompleteResult> {
  const timeoutMs = config().upstreamTimeoutMs;
  const deadline = new Deadline(timeoutMs, call.signal);
  try {
    const response = await send(call, call.body, deadline, timeoutMs, '/embeddings');
    const body = await jsonAnswer(response, call, deadline, timeoutMs);
    const usage = embeddingUsageFrom(body.usage) ?? {
      inputTokens: call.inputs.reduce((sum, input) => sum + (typeof input === 'string' ? estimateTokens(input) : input.length), 0),
      outputTokens: 0,
    };
    return { body: { ...body, model: call.model.name }, usage };
  } finally {
    deadline.clear();
  }
}

export const openaiCompatibleProvider: Provider = {
  complete: (call) => completeAt('/chat/completions', call),
  stream: (call) => streamAt('/chat/completions', call),
  completeText: (call) => completeAt('/completions', call),
  streamText: (call) => streamAt('/completions', call),
  embed,
};
