// The built-in `echo` provider: answers with the text of the last user message,
// for local use, demos, tests and benchmarks. Deterministic: a "token" is a word
// with the whitespace before it, so "Hello big world" is 3 output tokens; the
// prompt counts 1 token per message plus the words of its text.
//
// Legacy completions echo each prompt (a token array reads as its numbers, so it is
// as many tokens as it is long). Embeddings are deterministic unit vectors drawn
// from a hash of each input (SHAKE-256 of its JSON), ECHO_DIMENSIONS long unless the
// request asks for `dimensions`; an input costs its words (a token array, its length).
//
// Delays are set on the model's upstreamModel, after a "?" like a URL query:
//   echo                       answers at once
//   echo?delay=200             waits 200 ms before answering (both modes)
//   echo?delay=200&tokenDelay=20   and, when streaming, 20 ms between tokens
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChatCall,
  type CompleteResult,
  type CompletionCall,
  type Provider,
  type StreamResult,
  type TokenUsage,
  UpstreamError,
} from './types.ts';

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

  async completeText(call): Promise<CompleteResult> {
    const options = echoOptions(call.model.upstreamModel);
    if (options.delayMs) await sleep(options.delayMs, undefined, { signal: call.signal });
    const answers = call.prompts.map((prompt) => textAnswerOf(call, prompt));
    const usage = textUsage(call, answers);
    return {
      usage,
      body: {
        id: `cmpl-${randomUUID()}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: call.model.name,
        choices: answers.flatMap((answer, p) =>
          Array.from({ length: call.choicesPerPrompt }, (_, i) => ({
            index: p * call.choicesPerPrompt + i,
            text: (call.body.echo === true ? answer.prompt : '') + answer.tokens.join(''),
            logprobs: null,
            finish_reason: answer.finish,
          })),
        ),
        usage: {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      },
    };
  },

  async streamText(call): Promise<StreamResult> {
    const options = echoOptions(call.model.upstreamModel);
    const answers = call.prompts.map((prompt) => textAnswerOf(call, prompt));
    const usage: TokenUsage = { inputTokens: textUsage(call, answers).inputTokens, outputTokens: 0 };
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const per = call.choicesPerPrompt;
    const chunk = (choices: unknown[]) => ({ id, object: 'text_completion', created, model: call.model.name, choices });
    const choicesOf = (p: number, text: string, finish_reason: string | null = null) =>
      Array.from({ length: per }, (_, i) => ({ index: p * per + i, text, logprobs: null, finish_reason }));
    async function* chunks() {
      if (options.delayMs) await sleep(options.delayMs, undefined, { signal: call.signal });
      if (call.body.echo === true) yield chunk(answers.flatMap((answer, p) => choicesOf(p, answer.prompt)));
      const longest = Math.max(0, ...answers.map((answer) => answer.tokens.length));
      for (let t = 0; t < longest; t++) {
        if (t > 0 && options.tokenDelayMs) await sleep(options.tokenDelayMs, undefined, { signal: call.signal });
        if (call.signal.aborted) return;
        const choices = answers.flatMap((answer, p) => (t < answer.tokens.length ? choicesOf(p, answer.tokens[t]) : []));
        // Counted as it is handed over: every generated completion of a prompt has this token.
        usage.outputTokens += (choices.length / per) * call.generatedPerPrompt;
        yield chunk(choices);
      }
      yield chunk(answers.flatMap((answer, p) => choicesOf(p, '', answer.finish)));
    }
    return { chunks: chunks(), usage: () => ({ ...usage }) };
  },

  async embed(call): Promise<CompleteResult> {
    const options = echoOptions(call.model.upstreamModel);
    if (options.delayMs) await sleep(options.delayMs, undefined, { signal: call.signal });
    const dimensions = call.dimensions ?? ECHO_DIMENSIONS;
    if (call.inputs.length * dimensions > ECHO_MAX_NUMBERS) {
      throw new UpstreamError(
        400,
        'too_many_dimensions',
        `The echo model answers at most ${ECHO_MAX_NUMBERS} numbers per request, and ${call.inputs.length} inputs × ${dimensions} dimensions are more; send fewer inputs or dimensions`,
        null,
      );
    }
    const inputTokens = call.inputs.reduce((sum, input) => sum + echoInputTokens(input), 0);
    return {
      usage: { inputTokens, outputTokens: 0 },
      body: {
        object: 'list',
        data: call.inputs.map((input, index) => {
          const vector = echoVector(input, dimensions);
          return { object: 'embedding', index, embedding: call.encodingFormat === 'base64' ? float32Base64(vector) : vector };
        }),
        model: call.model.name,
        usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
      },
    };
  },
};

/** A prompt of a legacy completion as text: a token array reads as its numbers, one word each. */
const promptText = (prompt: string | number[]) => (typeof prompt === 'string' ? prompt : prompt.join(' '));

/** The tokens of an input or prompt: its words, or a token array's length. */
export const echoInputTokens = (input: string | number[]) => (typeof input === 'string' ? echoTokens(input).length : input.length);

function textAnswerOf(call: CompletionCall, prompt: string | number[]) {
  const text = promptText(prompt);
  const all = echoTokens(text.trim());
  const tokens = all.slice(0, call.maxOutputTokens);
  return { prompt: text, promptTokens: echoInputTokens(prompt), tokens, finish: tokens.length < all.length ? 'length' : 'stop' };
}

function textUsage(call: CompletionCall, answers: ReturnType<typeof textAnswerOf>[]): TokenUsage {
  return {
    inputTokens: answers.reduce((sum, answer) => sum + answer.promptTokens, 0),
    // Every generated completion is paid, best_of's too, as OpenAI bills them.
    outputTokens: answers.reduce((sum, answer) => sum + answer.tokens.length * call.generatedPerPrompt, 0),
  };
}

/** The dimensions of an echo embedding when the request does not ask for others. */
export const ECHO_DIMENSIONS = 256;
/** inputs × dimensions in one answer: 2048 inputs of 2048 dimensions (a JSON answer of some 50 MB). */
const ECHO_MAX_NUMBERS = 2048 * 2048;

/**
 * A unit vector determined by the input alone: SHAKE-256 of its JSON (so "1" and [1] differ),
 * read as signed 32-bit integers, normalized, and rounded to float32 (what base64 carries).
 */
export function echoVector(input: string | number[], dimensions: number): number[] {
  const bytes = createHash('shake256', { outputLength: dimensions * 4 })
    .update(JSON.stringify(input))
    .digest();
  const raw = Array.from({ length: dimensions }, (_, i) => bytes.readInt32LE(i * 4) / 2 ** 31);
  const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0)) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

/** OpenAI's base64 encoding of an embedding: its float32 values, little-endian. */
export function float32Base64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}
