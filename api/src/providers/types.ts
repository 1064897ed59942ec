// What /v1 asks of a provider: answer one chat completion or legacy completion, as a
// whole or as a stream of OpenAI chunks, or embed inputs; and say how many tokens it took.
import type { Model } from '../generated/prisma/client.ts';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatCall {
  model: Model;
  /**
   * The request body as the client sent it (checked by v1/requestBody.ts), unknown fields kept,
   * except that its max_tokens (or max_completion_tokens) is maxOutputTokens: the upstream is
   * never allowed more than Lumen reserved coins for.
   */
  body: Record<string, unknown>;
  /** The most output tokens per choice Lumen reserved coins for: min(max_tokens, the model's limit). */
  maxOutputTokens: number;
  /** How many choices were asked for (n, 1 when not given). */
  n: number;
  /** Aborted when a streaming client goes away: the provider stops its upstream work. Never aborted for a non-streamed request, which is answered and paid in full. */
  signal: AbortSignal;
}

/** A legacy /v1/completions call: `n` is how many completions are generated in all (prompts × max(n, best_of)). */
export interface CompletionCall extends ChatCall {
  /** One per prompt (a string, or a token array). */
  prompts: (string | number[])[];
  /** Choices returned per prompt (the request's n). */
  choicesPerPrompt: number;
  /** Completions generated per prompt: max(n, best_of); the best choicesPerPrompt of them are returned. */
  generatedPerPrompt: number;
}

export interface EmbeddingCall {
  model: Model;
  /** The request body as the client sent it (checked by v1/embeddings.ts), unknown fields kept. */
  body: Record<string, unknown>;
  /** One per input (a string, or a token array). */
  inputs: (string | number[])[];
  /** The dimensions asked for; null: the model's own. */
  dimensions: number | null;
  encodingFormat: 'float' | 'base64';
  signal: AbortSignal;
}

export interface CompleteResult {
  /** An OpenAI chat.completion object (text_completion for completions, a list of embeddings for embed). */
  body: Record<string, unknown>;
  usage: TokenUsage;
}

export interface StreamResult {
  /** OpenAI chat.completion.chunk objects (text_completion for completions), without the usage-only final chunk. */
  chunks: AsyncIterable<Record<string, unknown>>;
  /** Tokens so far: final once `chunks` has ended, or what was produced before an abort. */
  usage(): TokenUsage;
}

export interface Provider {
  complete(call: ChatCall): Promise<CompleteResult>;
  stream(call: ChatCall): Promise<StreamResult>;
  /** The legacy /v1/completions, as a whole. */
  completeText(call: CompletionCall): Promise<CompleteResult>;
  /** The legacy /v1/completions, streamed. */
  streamText(call: CompletionCall): Promise<StreamResult>;
  /** /v1/embeddings: the usage's outputTokens is 0. */
  embed(call: EmbeddingCall): Promise<CompleteResult>;
}

/** An upstream failure, already phrased as the OpenAI-style error the client will get. */
export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Counts against the model's health (upstream down, 5xx, timeout), unlike a request the upstream rejected. */
    readonly failure: 'error' | 'timeout' | null,
    readonly type = failure ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}
