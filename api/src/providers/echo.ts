// The built-in `echo` provider: answers with the text of the last user message,
// for local use, demos, tests and benchmarks. Deterministic: a "token" is a word
// with the whitespace before it, so "Hello big world" is 3 output tokens; the
// prompt counts 1 token per message plus the words of its text.
//
// Delays are set on the model's upstreamModel, after a "?" like a URL query:
//   echo                       answers at once
//   echo?delay=200             waits 200 ms before answering (both modes)
//   echo?delay=200&tokenDelay=20   and, when streaming, 20 ms between tokens
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChatCall, type CompleteResult, type Provider, type StreamResult, type TokenUsage, UpstreamError } from './types.ts';

const MAX_DELAY_MS = 600_000;

export interface EchoOptions {
  delayMs: number;
  tokenDelayMs: number;
}

export function echoOptions(upstreamModel: string): EchoOptions {
  const query = upstreamModel.includes('?') ? upstreamModel.slice(upstreamModel.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  const read = (name: string) => {
    const text = params.get(name);
    if (text === null) return 0;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value > MAX_DELAY_MS) {
      throw new UpstreamError(
        500,
        'model_misconfigured',
        `The echo model's ${name} must be a whole number of milliseconds up to ${MAX_DELAY_MS} (upstreamModel is "${upstreamModel}"); an admin must fix the model`,
        'error',
      );
    }
    return value;
  };
  for (const name of params.keys()) {
    if (name !== 'delay' && name !== 'tokenDelay') {
      throw new UpstreamError(
        500,
        'model_misconfigured',
        `The echo model's upstreamModel "${upstreamModel}" has an unknown option "${name}" (known: delay, tokenDelay); an admin must fix the model`,
        'error',
      );
    }
  }
  return { delayMs: read('delay'), tokenDelayMs: read('tokenDelay') };
}

/** Text of a message's content: a string, or the text parts of an array of parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '',
      )
      .join(' ');
  }
  return '';
}

export const echoTokens = (text: string): string[] => text.match(/\s*\S+/g) ?? [];

function messagesOf(body: Record<string, unknown>): { role?: unknown; content?: unknown }[] {
  return Array.isArray(body.messages) ? (body.messages as { role?: unknown; content?: unknown }[]) : [];
}

export function echoPromptTokens(body: Record<string, unknown>): number {
  return messagesOf(body).reduce((sum, message) => sum + 1 + echoTokens(textOf(message?.content)).length, 0);
}

function answerOf(call: ChatCall): { tokens: string[]; finish: 'stop' | 'length' } {
  const lastUser = [...messagesOf(call.body)].reverse().find((m) => m?.role === 'user');
  const all = echoTokens(textOf(lastUser?.content).trim());
  const tokens = all.slice(0, call.maxOutputTokens);
  return { tokens, finish: tokens.length < all.length ? 'length' : 'stop' };
}

export const echoProvider: Provider = {
  async complete(call): Promise<CompleteResult> {
    const options = echoOptions(call.model.upstreamModel);
    if (options.delayMs) await sleep(options.delayMs, undefined, { signal: call.signal });
    const { tokens, finish } = answerOf(call);
    const n = call.n;
    const usage = { inputTokens: echoPromptTokens(call.body), outputTokens: tokens.length * n };
    const content = tokens.join('');
    return {
      usage,
      body: {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: call.model.name,
        choices: Array.from({ length: n }, (_, index) => ({
          index,
          message: { role: 'assistant', content, refusal: null },
          logprobs: null,
          finish_reason: finish,
        })),
        usage: {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      },
    };
  },

  async stream(call): Promise<StreamResult> {
    const options = echoOptions(call.model.upstreamModel);
    const { tokens, finish } = answerOf(call);
    const n = call.n;
    const usage: TokenUsage = { inputTokens: echoPromptTokens(call.body), outputTokens: 0 };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (choices: unknown[]) => ({ id, object: 'chat.completion.chunk', created, model: call.model.name, choices });
    const each = (delta: object, finish_reason: string | null = null) =>
      chunk(Array.from({ length: n }, (_, index) => ({ index, delta, logprobs: null, finish_reason })));
    async function* chunks() {
      if (options.delayMs) await sleep(options.delayMs, undefined, { signal: call.signal });
      yield each({ role: 'assistant', content: '' });
      for (const [i, token] of tokens.entries()) {
        if (i > 0 && options.tokenDelayMs) await sleep(options.tokenDelayMs, undefined, { signal: call.signal });
        if (call.signal.aborted) return;
        // Counted as it is handed over: an abort after this bills it, one before does not.
        usage.outputTokens += n;
        yield each({ content: token });
      }
      yield each({}, finish);
    }
    return { chunks: chunks(), usage: () => ({ ...usage }) };
  },
};
