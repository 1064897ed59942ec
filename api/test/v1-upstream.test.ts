// The openai-compatible provider against a tiny upstream started here: requests
// forwarded with unknown fields and the upstream key, usage billed from the
// upstream's own counts, errors and timeouts mapped to OpenAI-style errors, a
// client that leaves mid-stream stopping the upstream and paying for what was
// produced, and model health computed from the results.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { exact } from '../src/domain/coins.ts';
import { priceOf } from '../src/domain/metering.ts';
import { subscribeOwnerChanges } from '../src/events/bus.ts';
import { estimateTokens } from '../src/providers/openaiCompatible.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import type { UpstreamBody } from './support/upstream.ts';
import { clientKey, model, openai, pool, refusal, shownPool } from './support/v1.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: UpstreamBody | null) => void;
let lumen: TestLumen;
let admin: TestUser;
let upstream: Server;
let upstreamUrl: string;
let handler: Handler = (_req, res) => res.end();
const received: { headers: IncomingMessage['headers']; body: UpstreamBody | null; path: string }[] = [];

before(async () => {
  process.env.LUMEN_UPSTREAM_KEY_TEST = 'upstream-secret-123';
  lumen = await startLumen({ LUMEN_UPSTREAM_TIMEOUT_MS: '400' });
  admin = await lumen.user({ admin: true });
  upstream = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as UpstreamBody) : null;
      received.push({ headers: req.headers, body, path: req.url ?? '' });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});
after(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  await lumen.close();
});

const hello = [{ role: 'user' as const, content: 'Hello' }];
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const completion = (content: string, usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 }) => ({
  id: 'chatcmpl-up',
  object: 'chat.completion',
  created: 1,
  model: 'upstream-internal-name',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
  usage,
});
const sseChunk = (res: ServerResponse, value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
const delta = (content: string) => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'upstream-internal-name',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

async function setup(extra: Record<string, unknown> = {}) {
  const m = await model(admin, {
    provider: 'openai-compatible',
    upstreamModel: 'upstream-internal-name',
    upstreamBaseUrl: upstreamUrl,
    upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_TEST',
    inputCoinsPerMillion: '2',
    outputCoinsPerMillion: '10',
    ...extra,
  });
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '100' });
  const key = await clientKey(admin, client.id);
  return { m, client, key, ai: openai(key.secret) };
}

const balanceOf = async (clientId: string) => exact((await shownPool(lumen.prisma, clientId)).balance).toFixed();

describe('forwarding', () => {
  test('a request goes upstream with unknown fields and the upstream key; the answer comes back under Lumen’s model name, billed by the upstream’s usage', async () => {
    const { m, client, ai } = await setup();
    handler = (_req, res) => json(res, 200, completion('Hi there'));
    const answer = await ai.chat.completions.create({
      model: m.name,
      messages: hello,
      temperature: 0.2,
      top_k: 5,
      guided_json: { type: 'object' },
      // Parameters of other servers (vLLM's top_k, guided_json), which the SDK's types do not list.
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const sent = received.at(-1)!;
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, 'Bearer upstream-secret-123');
    assert.equal(sent.body?.model, 'upstream-internal-name');
    assert.equal(sent.body?.top_k, 5);
    assert.deepEqual(sent.body?.guided_json, { type: 'object' });
    assert.equal(sent.body?.temperature, 0.2);
    assert.equal(answer.model, m.name);
    assert.equal(answer.choices[0].message.content, 'Hi there');
    const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id } });
    assert.deepEqual([record.inputTokens, record.outputTokens, record.status], [9, 4, 'ok']);
    assert.equal(exact(record.coins).toFixed(), priceOf(m, 9, 4).toFixed());
    assert.equal(
      await balanceOf(client.id),
      exact(100)
        .minus(priceOf(m, 9, 4))
        .toFixed(),
    );
  });

  test('streaming: usage is always asked of the upstream, billed, and shown to the client only when it asked', async () => {
    const { m, client, ai } = await setup();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const word of ['Hi', ' there', ' you']) sseChunk(res, { ...delta(word), usage: null });
      sseChunk(res, {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'x',
        choices: [],
        usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
      });
      res.end('data: [DONE]\n\n');
    };
    for (const includeUsage of [false, true]) {
      const stream = await ai.chat.completions.create({
        model: m.name,
        messages: hello,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      assert.deepEqual(received.at(-1)!.body?.stream_options, { include_usage: true });
      assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'Hi there you');
      assert.ok(chunks.every((c) => c.model === m.name));
      const usageChunks = chunks.filter((c) => c.usage);
      assert.deepEqual(
        usageChunks.map((c) => c.usage),
        includeUsage ? [{ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 }] : [],
      );
    }
    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
    assert.deepEqual(
      records.map((r) => [r.inputTokens, r.outputTokens]),
      [
        [11, 3],
        [11, 3],
      ],
    );
  });
});

describe('upstream failures', () => {
  const cases: { name: string; respond: Handler; status: number; code: string; message: RegExp; recorded: string }[] = [
    {
      name: 'a 500',
      respond: (_q, res) => json(res, 500, { error: { message: 'GPU on fire' } }),
      status: 502,
      code: 'upstream_error',
      message: /HTTP 500.*GPU on fire/,
      recorded: 'upstream_error',
    },
    {
      name: 'a refused upstream key',
      respond: (_q, res) => json(res, 401, { error: { message: 'bad key' } }),
      status: 502,
      code: 'upstream_auth_failed',
      message: /LUMEN_UPSTREAM_KEY_TEST/,
      recorded: 'upstream_error',
    },
    {
      name: 'an invalid request',
      respond: (_q, res) => json(res, 400, { error: { message: 'temperature too high', code: 'invalid_value' } }),
      status: 400,
      code: 'invalid_value',
      message: /rejected the request: temperature too high/,
      recorded: 'upstream_rejected',
    },
    {
      name: 'a rate limit',
      respond: (_q, res) => json(res, 429, { error: { message: 'slow down' } }),
      status: 429,
      code: 'upstream_rate_limited',
      message: /rate-limiting/,
      recorded: 'upstream_error',
    },
    {
      name: 'no answer in time',
      respond: () => {},
      status: 504,
      code: 'upstream_timeout',
      message: /did not answer within 0.4 s/,
      recorded: 'upstream_timeout',
    },
  ];
  for (const c of cases) {
    for (const stream of [false, true]) {
      test(`${c.name} (${stream ? 'streaming' : 'non-streaming'}) is an OpenAI-style ${c.status}, records the failure, and costs nothing`, async () => {
        const { m, client, ai } = await setup();
        handler = c.respond;
        const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello, stream }));
        assert.deepEqual([refused.status, refused.code], [c.status, c.code]);
        assert.match(refused.message, c.message);
        assert.equal(await balanceOf(client.id), '100', 'the reservation was given back');
        const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id } });
        assert.deepEqual([record.status, exact(record.coins).toFixed()], [c.recorded, '0']);
      });
    }
  }

  test('an upstream that stalls mid-stream ends the stream with an error event; the tokens produced are billed', async () => {
    const { m, client, ai } = await setup();
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sseChunk(res, delta('One'));
      sseChunk(res, delta(' two'));
    };
    const stream = await ai.chat.completions.create({ model: m.name, messages: hello, stream: true });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      /did not answer within/,
    );
    assert.deepEqual(seen, ['One', ' two']);
    const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id } });
    assert.equal(record.status, 'upstream_timeout');
    assert.equal(record.outputTokens, 2);
  });

  test('an unreachable upstream and a missing key variable are clear errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await setup({ upstreamBaseUrl: `http://127.0.0.1:${port}/v1` });
    const refused = await refusal(unreachable.ai.chat.completions.create({ model: unreachable.m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code], [502, 'upstream_unreachable']);
    assert.match(refused.message, /ECONNREFUSED/);
    const noKey = await setup({ upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_TEST_UNSET' });
    const missing = await refusal(noKey.ai.chat.completions.create({ model: noKey.m.name, messages: hello }));
    assert.deepEqual([missing.status, missing.code], [500, 'upstream_key_missing']);
    assert.match(missing.message, /LUMEN_UPSTREAM_KEY_TEST_UNSET.*is not set/);
  });
});

describe('client disconnect', () => {
  test('a client that leaves mid-stream stops the upstream request and pays for the tokens produced', async () => {
    const { m, client, ai } = await setup();
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    handler = (req, res) => {
      res.on('close', () => upstreamClosed());
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const word of ['a', ' b', ' c']) sseChunk(res, delta(word));
      // ... and then it keeps the stream open, as a long generation would.
    };
    const events = subscribeOwnerChanges({ clientId: client.id, userId: null })[Symbol.asyncIterator]();
    const metered = events.next();
    const stream = await ai.chat.completions.create({ model: m.name, messages: hello, stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 3) break; // leaving the loop aborts the request
    }
    await closed;
    const event = (await metered).value;
    await events.return?.();
    assert.equal(event.change, 'METERED');
    const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id } });
    assert.equal(record.status, 'client_disconnected');
    assert.equal(record.outputTokens, 3);
    assert.equal(record.inputTokens, estimateTokens(hello));
    assert.equal(exact(record.coins).toFixed(), priceOf(m, estimateTokens(hello), 3).toFixed());
    assert.equal(await balanceOf(client.id), exact(100).minus(record.coins).toFixed());
  });
});

describe('model health', () => {
  test('Model.status is OK, DEGRADED, DOWN from recent results, and DISABLED for a disabled model', async () => {
    const { m, ai } = await setup();
    const statusOf = async (id: string) => {
      const result = await lumen.gql(
        graphql(`
          query V1Upstream_Models {
            models {
              id
              status
            }
          }
        `),
        {},
        admin,
      );
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return result.data?.models.find((x) => x.id === gid('Model', id))?.status;
    };
    assert.equal(await statusOf(m.id), 'OK');
    handler = (_req, res) => json(res, 200, completion('fine'));
    for (let i = 0; i < 8; i++) await ai.chat.completions.create({ model: m.name, messages: hello });
    assert.equal(await statusOf(m.id), 'OK');
    handler = (_req, res) => json(res, 503, { error: { message: 'overloaded' } });
    await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.equal(await statusOf(m.id), 'DEGRADED', '1 failure in 9');
    await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.equal(await statusOf(m.id), 'DOWN', 'the last 3 failed');
    handler = (_req, res) => json(res, 200, completion('fine'));
    await ai.chat.completions.create({ model: m.name, messages: hello });
    assert.equal(await statusOf(m.id), 'DEGRADED', '3 failures in 12, the latest succeeded');
    await lumen.prisma.model.update({ where: { id: m.id }, data: { disabled: true } });
    assert.equal(await statusOf(m.id), 'DISABLED');
  });
});
