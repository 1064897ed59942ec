// The legacy POST /v1/completions through the official OpenAI client: echo answers,
// streaming and not (with usage when asked), n and best_of, several prompts, the
// worst case reserved and the tokens billed, refusals in OpenAI's error envelope,
// and an openai-compatible upstream that is forwarded to.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { setClientModelAccess } from '../src/domain/modelAccess.ts';
import { priceOf, promptTokenBound } from '../src/domain/metering.ts';
import { generateSecret } from '../src/domain/secrets.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { startUpstream, usageOf, type TestUpstream } from './support/upstream.ts';
import { clientKey, model, openai, pool, refusal, shownPool, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let upstream: TestUpstream;
before(async () => {
  process.env.LUMEN_UPSTREAM_KEY_COMPLETIONS_TEST = 'upstream-secret-cmpl';
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
  await lumen.close();
});

const prompt = 'Hello big world';

describe('answers', () => {
  test('a non-streaming request gets the echo of its prompt, with token counts', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const answer = await openai(key.secret).completions.create({ model: m.name, prompt });
    assert.equal(answer.object, 'text_completion');
    assert.equal(answer.model, m.name);
    assert.deepEqual(
      answer.choices.map((c) => [c.index, c.text, c.finish_reason]),
      [[0, 'Hello big world', 'stop']],
    );
    assert.deepEqual(answer.usage, { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
  });

  test('max_tokens cuts the answer; echo puts the prompt first', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const cut = await ai.completions.create({ model: m.name, prompt, max_tokens: 2 });
    assert.deepEqual([cut.choices[0].text, cut.choices[0].finish_reason, cut.usage?.completion_tokens], ['Hello big', 'length', 2]);
    const echoed = await ai.completions.create({ model: m.name, prompt: 'Hi there', echo: true });
    assert.equal(echoed.choices[0].text, 'Hi thereHi there');
    assert.equal(echoed.usage?.completion_tokens, 2);
  });

  test('n choices per prompt, several prompts, and best_of generated (and paid) but not returned', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const answer = await ai.completions.create({ model: m.name, prompt: ['a b', 'c'], n: 2 });
    assert.deepEqual(
      answer.choices.map((c) => [c.index, c.text]),
      [
        [0, 'a b'],
        [1, 'a b'],
        [2, 'c'],
        [3, 'c'],
      ],
    );
    assert.deepEqual(answer.usage, { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
    const best = await ai.completions.create({ model: m.name, prompt, n: 2, best_of: 3 });
    assert.equal(best.choices.length, 2);
    assert.equal(best.usage?.completion_tokens, 9);
    const tokens = await ai.completions.create({ model: m.name, prompt: [5, 6, 7, 8] });
    assert.deepEqual([tokens.choices[0].text, tokens.usage?.prompt_tokens], ['5 6 7 8', 4]);
  });

  test('a streaming request arrives as text_completion chunks, with usage last when asked for', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const stream = await ai.completions.create({ model: m.name, prompt, stream: true, stream_options: { include_usage: true } });
    const pieces: string[] = [];
    let usage = null;
    let finish = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'text_completion');
      assert.equal(chunk.model, m.name);
      if (chunk.choices[0]?.text) pieces.push(chunk.choices[0].text);
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) {
        assert.deepEqual(chunk.choices, []);
        usage = chunk.usage;
      }
    }
    assert.deepEqual(pieces, ['Hello', ' big', ' world']);
    assert.equal(finish, 'stop');
    assert.deepEqual(usage, { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });

    const quiet = await ai.completions.create({ model: m.name, prompt, stream: true, max_tokens: 1 });
    const chunks = [];
    for await (const chunk of quiet) chunks.push(chunk);
    assert.ok(chunks.every((c) => !c.usage && c.choices.length === 1));
    assert.deepEqual(
      chunks.map((c) => c.choices[0].text),
      ['Hello', ''],
    );
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, 'length');
  });

  test('bad requests are 400s that say what is wrong', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{}, /"prompt" is required/],
      [{ prompt: [] }, /empty array/],
      [{ prompt, n: 3, best_of: 2 }, /"best_of" \(2\) must be at least "n" \(3\)/],
      [{ prompt, best_of: 2, stream: true }, /"best_of" cannot be used with "stream"/],
      [{ prompt, max_tokens: 0 }, /max_tokens must be a whole number/],
      [{ prompt, echo: 'yes' }, /"echo" must be true or false/],
    ];
    for (const [params, message] of cases) {
      const refused = await refusal(ai.completions.create({ model: m.name, ...params } as never));
      assert.deepEqual([refused.status, refused.type], [400, 'invalid_request_error'], JSON.stringify(params));
      assert.match(refused.message, message);
    }
  });
});

describe('metering', () => {
  test('the worst case is the prompt bound plus max_tokens × max(n, best_of) per prompt; the tokens used are billed', async () => {
    const m = await model(admin, { inputCoinsPerMillion: '1.5', outputCoinsPerMillion: '7.25', maxOutputTokens: 40 });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '10', balance: '10' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    await ai.completions.create({ model: m.name, prompt, max_tokens: 10, n: 2, best_of: 3 });
    const stream = await ai.completions.create({ model: m.name, prompt: ['a b', 'c d e'], stream: true });
    for await (const _chunk of stream) {
      // read it all
    }
    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      records.map((r) => [r.inputTokens, r.outputTokens, r.status]),
      [
        [3, 9, 'ok'],
        [5, 5, 'ok'],
      ],
    );
    for (const r of records) assert.equal(exact(r.coins).toFixed(), priceOf(m, r.inputTokens, r.outputTokens).toFixed());
    assert.equal(exact(records[0].reservedCoins!).toFixed(), priceOf(m, promptTokenBound([prompt]), 10 * 3).toFixed());
    // No max_tokens: the model's limit, for each of the two prompts.
    assert.equal(exact(records[1].reservedCoins!).toFixed(), priceOf(m, promptTokenBound([['a b', 'c d e']]), 40 * 2).toFixed());
    const spent = priceOf(m, 3, 9).plus(priceOf(m, 5, 5));
    assert.equal(exact((await shownPool(lumen.prisma, client.id)).balance).toFixed(), exact(10).minus(spent).toFixed());
  });
});

describe('refusals, in the error envelope', () => {
  test('a bad key, a blocked model, an exhausted budget, streaming or not', async () => {
    const m = await model(admin, { inputCoinsPerMillion: '0', outputCoinsPerMillion: '1000000', maxOutputTokens: 100 });
    const badKey = await refusal(openai(generateSecret('sk')).completions.create({ model: m.name, prompt }));
    assert.deepEqual([badKey.status, badKey.code, badKey.type], [401, 'invalid_api_key', 'invalid_request_error']);

    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '50', balance: '50' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    const exhausted = await refusal(ai.completions.create({ model: m.name, prompt }));
    assert.deepEqual([exhausted.status, exhausted.code, exhausted.type], [429, 'insufficient_quota', 'insufficient_quota']);
    assert.match(exhausted.message, /may cost up to 100 coins \(its prompt plus max_tokens\)/);
    const streamed = await refusal(ai.completions.create({ model: m.name, prompt, stream: true }));
    assert.deepEqual([streamed.status, streamed.code], [429, 'insufficient_quota']);
    // Within the budget it answers.
    assert.equal((await ai.completions.create({ model: m.name, prompt, max_tokens: 5 })).choices[0].text, 'Hello big world');

    await setClientModelAccess(admin.viewer, client.id, m.id, 'BLOCKED');
    const blocked = await refusal(ai.completions.create({ model: m.name, prompt, max_tokens: 5 }));
    assert.deepEqual([blocked.status, blocked.code, blocked.type], [403, 'model_blocked', 'permission_error']);
    const missing = await refusal(ai.completions.create({ model: 'no-such-model', prompt }));
    assert.deepEqual([missing.status, missing.code], [404, 'model_not_found']);
  });
});

describe('an openai-compatible upstream', () => {
  const completion = (res: ServerResponse, usage: ReturnType<typeof usageOf>) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'cmpl-up',
        object: 'text_completion',
        created: 1,
        model: 'upstream-internal-name',
        choices: [{ index: 0, text: 'Hi there', finish_reason: 'stop', logprobs: null }],
        usage,
      }),
    );
  };
  const streamed = (res: ServerResponse, usage: ReturnType<typeof usageOf>) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
    for (const text of ['Hi', ' there'])
      send({
        id: 'c',
        object: 'text_completion',
        created: 1,
        model: 'upstream-internal-name',
        choices: [{ index: 0, text, finish_reason: null }],
      });
    send({ id: 'c', object: 'text_completion', created: 1, model: 'upstream-internal-name', choices: [], usage });
    res.end('data: [DONE]\n\n');
  };

  test('is sent the request with the reserved max_tokens, its own model name and key, and billed what it reports', async () => {
    const m = await model(admin, {
      provider: 'openai-compatible',
      upstreamModel: 'upstream-internal-name',
      upstreamBaseUrl: upstream.url,
      upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_COMPLETIONS_TEST',
      maxOutputTokens: 50,
    });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '100' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);

    upstream.handler = (res, body) => (body.stream ? streamed(res, usageOf(4, 2)) : completion(res, usageOf(4, 2)));
    const answer = await ai.completions.create({ model: m.name, prompt: 'Say hi', max_tokens: 3000, suffix: '!' });
    assert.equal(answer.model, m.name);
    assert.equal(answer.choices[0].text, 'Hi there');
    let sent = upstream.received.at(-1)!;
    assert.equal(sent.path, '/v1/completions');
    assert.equal(sent.headers.authorization, 'Bearer upstream-secret-cmpl');
    assert.deepEqual(sent.body, { model: 'upstream-internal-name', prompt: 'Say hi', max_tokens: 50, suffix: '!' });

    const stream = await ai.completions.create({ model: m.name, prompt: 'Say hi', stream: true, stream_options: { include_usage: true } });
    const texts = [];
    let usage = null;
    for await (const chunk of stream) {
      assert.equal(chunk.model, m.name);
      if (chunk.choices[0]?.text) texts.push(chunk.choices[0].text);
      if (chunk.usage) usage = chunk.usage;
    }
    assert.deepEqual(texts, ['Hi', ' there']);
    assert.deepEqual(usage, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    sent = upstream.received.at(-1)!;
    assert.equal(sent.path, '/v1/completions');
    assert.deepEqual([sent.body?.stream, sent.body?.max_tokens, sent.body?.stream_options], [true, 50, { include_usage: true }]);

    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      records.map((r) => [r.inputTokens, r.outputTokens, r.status]),
      [
        [4, 2, 'ok'],
        [4, 2, 'ok'],
      ],
    );
    for (const r of records) assert.equal(exact(r.coins).toFixed(), priceOf(m, 4, 2).toFixed());
  });
});
