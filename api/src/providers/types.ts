// What /v1 asks of a provider: answer one chat completion, as a whole or as a
// stream of OpenAI chunks, and say how many tokens it took.
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

export interface CompleteResult {
  /** An OpenAI chat.completion object. */
  body: Record<string, unknown>;
  usage: TokenUsage;
}

export interface StreamResult {
  /** OpenAI chat.completion.chunk objects, without the usage-only final chunk. */
  chunks: AsyncIterable<Record<string, unknown>>;
  /** Tokens so far: final once `chunks` has ended, or what was produced before an abort. */
  usage(): TokenUsage;
}

export interface Provider {
  complete(call: ChatCall): Promise<CompleteResult>;
  stream(call: ChatCall): Promise<StreamResult>;
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
