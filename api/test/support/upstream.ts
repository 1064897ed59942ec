// A tiny OpenAI-style upstream on 127.0.0.1, for the suites of the
// openai-compatible provider: it records what Lumen sent and answers as the test
// says, and tells whether Lumen hung up on it before it answered.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Lumen sent upstream: an OpenAI chat request, with any extra parameters it passed through. */
export interface UpstreamBody {
  model?: string;
  stream?: boolean;
  stream_options?: unknown;
  max_tokens?: number;
  max_completion_tokens?: number;
  n?: number;
  [parameter: string]: unknown;
}

export interface UpstreamRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: UpstreamBody | null;
  /** True once Lumen closed the connection before the answer was complete. */
  abandoned: boolean;
}

export type UpstreamHandler = (res: ServerResponse, body: UpstreamBody, request: UpstreamRequest) => void;

export interface TestUpstream {
  /** The base URL to give a model as upstreamBaseUrl. */
  url: string;
  received: UpstreamRequest[];
  handler: UpstreamHandler;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const upstream: TestUpstream = {
    url: '',
    received: [],
    handler: (res) => res.end(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const request: UpstreamRequest = {
        path: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as UpstreamBody) : null,
        abandoned: false,
      };
      res.on('close', () => {
        if (!res.writableFinished) request.abandoned = true;
      });
      upstream.received.push(request);
      upstream.handler(res, request.body ?? {}, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return upstream;
}

export const usageOf = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

/** Answers a non-streamed request with a chat.completion reporting `usage`. */
export function answer(res: ServerResponse, usage: ReturnType<typeof usageOf>, content = 'Hi there') {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-up',
      object: 'chat.completion',
      created: 1,
      model: 'upstream-internal-name',
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
      usage,
    }),
  );
}

/** Answers a streamed request with a few chunks and a final usage chunk reporting `usage`. */
export function answerStream(res: ServerResponse, usage: ReturnType<typeof usageOf>, words = ['Hi', ' there']) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const send = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
  for (const word of words)
    send({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'upstream-internal-name',
      choices: [{ index: 0, delta: { content: word }, finish_reason: null }],
    });
  send({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'upstream-internal-name', choices: [], usage });
  res.end('data: [DONE]\n\n');
}
