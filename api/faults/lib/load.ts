// Steady /v1 load: closed loops (each sends its next request when the last one
// ended), one sk_ key per loop, round-robin over the live instances, through the
// official `openai` client with no retries and a short timeout. Every request is
// logged: which incarnation served it, when it started and ended, and how it
// ended (an HTTP status, or no status at all: timeout, connection refused or
// reset). A request counts as answered only when complete with its usage (a
// stream: its last chunk), priced here independently of Lumen.
import OpenAI, { APIConnectionTimeoutError, APIError } from 'openai';
import { costOf, exact, type Decimal } from '../../src/domain/coins.ts';
import type { Fleet, Incarnation } from './fleet.ts';
import { MODELS, type Key } from './seed.ts';

export interface Sent {
  loop: number | 'probe';
  key: string;
  instance: string;
  start: number;
  end: number;
  /** 200 when answered in full; an HTTP status; 0 when no status came back. */
  status: number;
  /** For failures: "timeout", "connection", the error code, or "no live instance". */
  error?: string;
  requestId?: string | null;
  /** A refusal's retry-after header, if any. */
  retryAfter?: string | null;
  coins?: Decimal;
}

const PROMPTS = [
  'Hello there',
  'The quick brown fox jumps over the lazy dog',
  'ok',
  'Summarize: rows of numbers and some labels',
  'Translate the weather is nice today',
];
const TIMEOUT_MS = 10_000;

const clients = new Map<string, OpenAI>();
function clientFor(instance: Incarnation, key: Key): OpenAI {
  const id = `${instance.id} ${key.secret}`;
  let client = clients.get(id);
  if (!client)
    clients.set(id, (client = new OpenAI({ apiKey: key.secret, baseURL: `${instance.url}/v1`, maxRetries: 0, timeout: TIMEOUT_MS })));
  return client;
}

function priced(model: keyof typeof MODELS, usage: { prompt_tokens: number; completion_tokens: number }): Decimal {
  const m = MODELS[model];
  return costOf(usage.prompt_tokens, usage.completion_tokens, exact(m.inputCoinsPerMillion), exact(m.outputCoinsPerMillion));
}

/** One chat completion (a quarter of them streamed); never throws. */
export async function send(instance: Incarnation, key: Key, loop: Sent['loop'], n: number): Promise<Sent> {
  const sent: Sent = { loop, key: key.name, instance: instance.id, start: Date.now(), end: 0, status: 0 };
  const stream = n % 4 === 3;
  const model = stream ? 'stream' : 'fast';
  const client = clientFor(instance, key);
  const messages = [{ role: 'user' as const, content: PROMPTS[n % PROMPTS.length] }];
  try {
    if (stream) {
      const { data, request_id } = await client.chat.completions
        .create({ model: MODELS.stream.name, messages, max_tokens: 16, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      sent.requestId = request_id;
      let usage: { prompt_tokens: number; completion_tokens: number } | null | undefined;
      for await (const chunk of data) usage = chunk.usage ?? usage;
      if (!usage) throw new Error('stream ended without usage');
      sent.coins = priced(model, usage);
    } else {
      const { data, request_id } = await client.chat.completions
        .create({ model: MODELS.fast.name, messages, max_tokens: 16 })
        .withResponse();
      sent.requestId = request_id;
      if (!data.usage) throw new Error('no usage in the answer');
      sent.coins = priced(model, data.usage);
    }
    sent.status = 200;
  } catch (error) {
    if (error instanceof APIError && error.status) {
      sent.status = error.status;
      sent.error = (error.code as string | null) ?? error.type ?? 'error';
      sent.requestId = error.requestID ?? null;
      sent.retryAfter = error.headers?.get('retry-after') ?? null;
    } else {
      sent.status = 0;
      sent.error =
        error instanceof APIConnectionTimeoutError
          ? 'timeout'
          : error instanceof APIError
            ? 'connection'
            : `broken: ${(error as Error).message}`.slice(0, 80);
    }
  }
  sent.end = Date.now();
  return sent;
}

export interface Load {
  log: Sent[];
  /** Stops the loops and waits for the requests in flight to end. */
  stop(): Promise<void>;
}

export function startLoad(fleet: Fleet, keys: Key[]): Load {
  const log: Sent[] = [];
  let running = true;
  let turn = 0;
  const loops = keys.map(async (key, loop) => {
    for (let n = 0; running; n++) {
      const live = fleet.live();
      if (live.length === 0) {
        // What a load balancer with no backend left answers.
        const now = Date.now();
        log.push({ loop, key: key.name, instance: '-', start: now, end: now, status: 502, error: 'no live instance' });
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      log.push(await send(live[turn++ % live.length], key, loop, n));
    }
  });
  return {
    log,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}
