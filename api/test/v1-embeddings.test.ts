// POST /v1/embeddings through the official OpenAI client: the echo provider's
// deterministic unit vectors (dimensions, base64), billing exact to the input
// tokens, the wrong model kind both ways, /v1/models with both kinds, every refusal
// in OpenAI's error envelope, and an openai-compatible upstream that is forwarded to.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { setClientModelAccess } from '../src/domain/modelAccess.ts';
import { priceOf } from '../src/domain/metering.ts';
import { generateSecret } from '../src/domain/secrets.ts';
import { ECHO_DIMENSIONS } from '../src/providers/echo.ts';
import { graphql } from './gql/index.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { startUpstream, type TestUpstream } from './support/upstream.ts';
import { clientKey, model, openai, pool, refusal, shownPool, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let upstream: TestUpstream;
before(async () => {
  process.env.LUMEN_UPSTREAM_KEY_EMBEDDINGS_TEST = 'upstream-secret-embed';
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
  await lumen.close();
});

const embeddingModel = (input: Parameters<typeof model>[1] = {}) =>
  model(admin, { kind: 'EMBEDDING', inputCoinsPerMillion: '20', outputCoinsPerMillion: '0', ...input });

const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));

/** OpenAI's base64 embedding: little-endian float32 values. */
function decode(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

const CreateModel = graphql(`
  mutation V1Embeddings_CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      model {
        id
        name
        kind
      }
    }
  }
`);

const UpdateKind = graphql(`
  mutation V1Embeddings_UpdateKind($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model {
        kind
      }
    }
  }
`);

describe('echo vectors', () => {
  test('unit vectors, one per input in order, the same for the same input on every call', async () => {
    const m = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const first = await ai.embeddings.create({
      model: m.name,
      input: ['Hello big world', 'other text', 'Hello big world'],
      encoding_format: 'float',
    });
    assert.equal(first.object, 'list');
    assert.equal(first.model, m.name);
    assert.deepEqual(
      first.data.map((d) => [d.object, d.index, d.embedding.length]),
      [
        ['embedding', 0, ECHO_DIMENSIONS],
        ['embedding', 1, ECHO_DIMENSIONS],
        ['embedding', 2, ECHO_DIMENSIONS],
      ],
    );
    for (const d of first.data) assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-5, `norm ${norm(d.embedding)}`);
    assert.deepEqual(first.data[0].embedding, first.data[2].embedding);
    assert.notDeepEqual(first.data[0].embedding, first.data[1].embedding);
    // Words: 3 + 2 + 3.
    assert.deepEqual(first.usage, { prompt_tokens: 8, total_tokens: 8 });
    const again = await ai.embeddings.create({ model: m.name, input: 'Hello big world', encoding_format: 'float' });
    assert.deepEqual(again.data[0].embedding, first.data[0].embedding);
  });

  test('dimensions sets the length; token arrays are inputs of their own, as many tokens as they are long', async () => {
    const m = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const small = await ai.embeddings.create({ model: m.name, input: 'Hello', dimensions: 8, encoding_format: 'float' });
    assert.equal(small.data[0].embedding.length, 8);
    assert.ok(Math.abs(norm(small.data[0].embedding) - 1) < 1e-5);
    const tokens = await ai.embeddings.create({
      model: m.name,
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      encoding_format: 'float',
    });
    assert.equal(tokens.data.length, 2);
    assert.deepEqual(tokens.usage, { prompt_tokens: 5, total_tokens: 5 });
    const flat = await ai.embeddings.create({ model: m.name, input: [1, 2, 3], encoding_format: 'float' });
    assert.equal(flat.data.length, 1);
    assert.deepEqual(flat.data[0].embedding, tokens.data[0].embedding);
  });

  test('base64 is the same float32 values, little-endian; the SDK asks for it by default and decodes it', async () => {
    const m = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const floats = await ai.embeddings.create({ model: m.name, input: ['one', 'two'], encoding_format: 'float' });
    const base64 = await ai.embeddings.create({ model: m.name, input: ['one', 'two'], encoding_format: 'base64' });
    for (const [i, d] of base64.data.entries()) {
      assert.equal(typeof d.embedding, 'string');
      assert.deepEqual(decode(d.embedding as unknown as string), floats.data[i].embedding);
    }
    // Without encoding_format the SDK sends base64 and decodes it to floats itself.
    const byDefault = await ai.embeddings.create({ model: m.name, input: ['one', 'two'] });
    assert.deepEqual(
      byDefault.data.map((d) => d.embedding),
      floats.data.map((d) => d.embedding),
    );
  });

  test('bad input is a 400 that says what is wrong', async () => {
    const m = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ input: '' }, 'empty_input', /"input" is empty/],
      [{ input: [] }, 'empty_input', /empty array/],
      [{ input: ['a', ''] }, 'empty_input', /input\[1\] is empty/],
      [{ input: ['a', [1]] }, 'invalid_request', /not a mix/],
      [{ input: Array.from({ length: 2049 }, () => 'x') }, 'too_many_inputs', /at most 2048/],
      [{ input: 'x', dimensions: 0 }, 'invalid_request', /dimensions must be a whole number from 1 to 16384/],
      [{ input: 'x', dimensions: 1.5 }, 'invalid_request', /dimensions/],
      [{ input: 'x', encoding_format: 'int8' }, 'invalid_request', /"encoding_format" must be "float" or "base64"/],
      [{}, 'invalid_request', /"input" is required/],
      [{ input: Array.from({ length: 300 }, () => 'x'), dimensions: 16_384 }, 'too_many_dimensions', /at most 4194304 numbers/],
    ];
    for (const [params, code, message] of cases) {
      const refused = await refusal(ai.embeddings.create({ model: m.name, ...params } as never));
      assert.deepEqual(
        [refused.status, refused.code, refused.type],
        [400, code, 'invalid_request_error'],
        JSON.stringify(params).slice(0, 80),
      );
      assert.match(refused.message, message);
    }
  });
});

describe('billing', () => {
  test('each request costs its input tokens at the input price, exactly, and the pool agrees', async () => {
    const m = await embeddingModel({ inputCoinsPerMillion: '123.456789' });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '10', balance: '10' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    await ai.embeddings.create({ model: m.name, input: 'Hello big world', encoding_format: 'float' });
    await ai.embeddings.create({ model: m.name, input: ['a b', 'c d e f'] });
    await ai.embeddings.create({ model: m.name, input: [[7, 8, 9, 10, 11]], encoding_format: 'base64' });
    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      records.map((r) => [r.inputTokens, r.outputTokens, r.status]),
      [
        [3, 0, 'ok'],
        [6, 0, 'ok'],
        [5, 0, 'ok'],
      ],
    );
    for (const r of records) assert.equal(exact(r.coins).toFixed(), priceOf(m, r.inputTokens, 0).toFixed());
    assert.equal(exact(records[0].coins).toFixed(), exact('123.456789').times(3).div(1_000_000).toFixed());
    const spent = priceOf(m, 14, 0);
    assert.equal(exact((await shownPool(lumen.prisma, client.id)).balance).toFixed(), exact(10).minus(spent).toFixed());
    // The reservation covered an upper bound of the input: its bytes plus 2 per string.
    assert.equal(exact(records[0].reservedCoins!).toFixed(), priceOf(m, 'Hello big world'.length + 2, 0).toFixed());
    assert.equal(exact(records[2].reservedCoins!).toFixed(), priceOf(m, 5, 0).toFixed());
  });
});

describe('kinds', () => {
  test('a chat model on /v1/embeddings and an embedding model on chat or completions: a 400 naming the right endpoint', async () => {
    const chat = await model(admin);
    const embed = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const wrong = await refusal(ai.embeddings.create({ model: chat.name, input: 'Hello' }));
    assert.deepEqual([wrong.status, wrong.code, wrong.type], [400, 'wrong_model_kind', 'invalid_request_error']);
    assert.match(wrong.message, new RegExp(`${chat.name} is a chat model; call it with POST /v1/chat/completions`));
    const asChat = await refusal(ai.chat.completions.create({ model: embed.name, messages: [{ role: 'user', content: 'Hi' }] }));
    assert.deepEqual([asChat.status, asChat.code], [400, 'wrong_model_kind']);
    assert.match(asChat.message, new RegExp(`${embed.name} is an embedding model; call it with POST /v1/embeddings`));
    const asCompletion = await refusal(ai.completions.create({ model: embed.name, prompt: 'Hi' }));
    assert.deepEqual([asCompletion.status, asCompletion.code], [400, 'wrong_model_kind']);
    assert.match(asCompletion.message, /POST \/v1\/embeddings/);
    // Nothing was reserved or recorded for them.
    assert.equal(await lumen.prisma.usageRecord.count({ where: { apiKeyId: key.id } }), 0);
  });

  test('/v1/models lists the callable models of both kinds', async () => {
    const chat = await model(admin);
    const embed = await embeddingModel();
    const { key } = await unlimitedClient(lumen, admin);
    const ids = [];
    for await (const m of openai(key.secret).models.list()) ids.push(m.id);
    assert.ok(ids.includes(chat.name) && ids.includes(embed.name), ids.join(', '));
    assert.equal((await openai(key.secret).models.retrieve(embed.name)).id, embed.name);
  });

  test('Model.kind in GraphQL: set by createModel (CHAT when omitted) and changed by updateModel, which every key sees at once', async () => {
    const plain = await lumen.gql(
      CreateModel,
      {
        input: {
          name: `plain-${Date.now()}`,
          provider: 'echo',
          upstreamModel: 'echo',
          inputCoinsPerMillion: '1',
          outputCoinsPerMillion: '1',
        },
      },
      admin,
    );
    assert.equal(plain.errors, undefined, JSON.stringify(plain.errors));
    assert.equal(plain.data?.createModel.model.kind, 'CHAT');
    const created = await lumen.gql(
      CreateModel,
      {
        input: {
          name: `embedder-${Date.now()}`,
          provider: 'echo',
          kind: 'EMBEDDING',
          upstreamModel: 'echo',
          inputCoinsPerMillion: '1',
          outputCoinsPerMillion: '0',
        },
      },
      admin,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const m = created.data!.createModel.model;
    assert.equal(m.kind, 'EMBEDDING');
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    assert.equal((await ai.embeddings.create({ model: m.name, input: 'x' })).data.length, 1);
    const updated = await lumen.gql(UpdateKind, { input: { modelId: m.id, kind: 'CHAT' } }, admin);
    assert.equal(updated.errors, undefined, JSON.stringify(updated.errors));
    assert.equal(updated.data?.updateModel.model.kind, 'CHAT');
    assert.equal((await refusal(ai.embeddings.create({ model: m.name, input: 'x' }))).code, 'wrong_model_kind');
    assert.equal((await ai.completions.create({ model: m.name, prompt: 'x' })).choices[0].text, 'x');
  });
});

describe('refusals, in the error envelope', () => {
  test('a bad key, a blocked model, an exhausted budget', async () => {
    const m = await embeddingModel({ inputCoinsPerMillion: '1000000' });
    const badKey = await refusal(openai(generateSecret('sk')).embeddings.create({ model: m.name, input: 'x' }));
    assert.deepEqual([badKey.status, badKey.code, badKey.type], [401, 'invalid_api_key', 'invalid_request_error']);

    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '5', balance: '5' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    // 1 coin per token: "a" reserves 3 coins and costs 1.
    await ai.embeddings.create({ model: m.name, input: 'a' });
    const exhausted = await refusal(ai.embeddings.create({ model: m.name, input: 'abcdefgh' }));
    assert.deepEqual([exhausted.status, exhausted.code, exhausted.type], [429, 'insufficient_quota', 'insufficient_quota']);
    assert.match(exhausted.message, /may cost up to 10 coins \(its input\)/);
    assert.match(exhausted.message, /Send less input or wait for more coins/);

    await setClientModelAccess(admin.viewer, client.id, m.id, 'BLOCKED');
    const blocked = await refusal(ai.embeddings.create({ model: m.name, input: 'a' }));
    assert.deepEqual([blocked.status, blocked.code, blocked.type], [403, 'model_blocked', 'permission_error']);

    const response = await lumen.fetch('/v1/embeddings', {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: m.name, input: 'a' }),
    });
    assert.equal(response.status, 403);
    assert.deepEqual(Object.keys((await response.json()).error).sort(), ['code', 'message', 'param', 'type']);
  });

  test('GET /v1/embeddings is a 405; an unknown path names every endpoint', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    const get = await lumen.fetch('/v1/embeddings', { headers: { authorization: `Bearer ${key.secret}` } });
    assert.equal(get.status, 405);
    const unknown = await lumen.fetch('/v1/nothing', { method: 'POST', headers: { authorization: `Bearer ${key.secret}` } });
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error.message, /POST \/v1\/completions and POST \/v1\/embeddings/);
  });
});

describe('an openai-compatible upstream', () => {
  test('is sent the request under its own model name and key, and billed the tokens it reports', async () => {
    const m = await embeddingModel({
      provider: 'openai-compatible',
      upstreamModel: 'upstream-embedder',
      upstreamBaseUrl: upstream.url,
      upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_EMBEDDINGS_TEST',
    });
    const vector = [0.6, 0.8];
    upstream.handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: vector }],
          model: 'upstream-embedder',
          usage: { prompt_tokens: 7, total_tokens: 7 },
        }),
      );
    };
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '10', balance: '10' });
    const key = await clientKey(admin, client.id);
    const answer = await openai(key.secret).embeddings.create({
      model: m.name,
      input: 'Hello upstream',
      dimensions: 2,
      encoding_format: 'float',
      user: 'someone',
    });
    assert.equal(answer.model, m.name);
    assert.deepEqual(answer.data[0].embedding, vector);
    assert.deepEqual(answer.usage, { prompt_tokens: 7, total_tokens: 7 });
    const sent = upstream.received.at(-1)!;
    assert.equal(sent.path, '/v1/embeddings');
    assert.equal(sent.headers.authorization, 'Bearer upstream-secret-embed');
    assert.deepEqual(sent.body, {
      model: 'upstream-embedder',
      input: 'Hello upstream',
      dimensions: 2,
      encoding_format: 'float',
      user: 'someone',
    });
    const [record] = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
    assert.deepEqual([record.inputTokens, record.outputTokens, record.status], [7, 0, 'ok']);
    assert.equal(exact(record.coins).toFixed(), priceOf(m, 7, 0).toFixed());
  });

  test("an upstream's refusal comes back in the error envelope", async () => {
    const m = await embeddingModel({ provider: 'openai-compatible', upstreamModel: 'upstream-embedder', upstreamBaseUrl: upstream.url });
    upstream.handler = (res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'too long', code: 'context_length_exceeded' } }));
    };
    const { key } = await unlimitedClient(lumen, admin);
    const refused = await refusal(openai(key.secret).embeddings.create({ model: m.name, input: 'x' }));
    assert.deepEqual([refused.status, refused.code], [400, 'context_length_exceeded']);
    assert.match(refused.message, /rejected the request: too long/);
  });
});
