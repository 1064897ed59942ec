// What an openai-compatible upstream is allowed and what it is paid: it is sent
// the output limit Lumen reserved coins for (min(max_tokens, the model's limit),
// per choice), a well-behaved upstream's reported tokens are billed at list price
// exactly, an upstream that overshoots anyway is recorded as it reported, billed
// at most the reservation, counted in a metric and shown in the model's health,
// and a non-streamed request whose caller leaves is still answered and paid.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { exact } from '../src/domain/coins.ts';
import { priceOf, promptTokenBound } from '../src/domain/metering.ts';
import { subscribeOwnerChanges } from '../src/events/bus.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { answer, answerStream, startUpstream, usageOf, type TestUpstream, type UpstreamBody } from './support/upstream.ts';
import { clientKey, model, openai, pool, shownPool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let upstream: TestUpstream;

before(async () => {
  process.env.LUMEN_UPSTREAM_KEY_BILLING_TEST = 'upstream-secret-456';
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
  await lumen.close();
});

const hello = [{ role: 'user' as const, content: 'Hello' }];
const LIMIT = 50;

async function setup(state: 'LIMITED' | 'UNLIMITED' = 'LIMITED') {
  const m = await model(admin, {
    provider: 'openai-compatible',
    upstreamModel: 'upstream-internal-name',
    upstreamBaseUrl: upstream.url,
    upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_BILLING_TEST',
    inputCoinsPerMillion: '2.5',
    outputCoinsPerMillion: '2000',
    maxOutputTokens: LIMIT,
  });
  const client = await lumen.client(admin);
  await pool(admin, client.id, state === 'LIMITED' ? { state, capacity: '1000', balance: '1000' } : { state });
  const key = await clientKey(admin, client.id);
  return { m, client, ai: openai(key.secret) };
}

const balanceOf = async (clientId: string) => exact((await shownPool(lumen.prisma, clientId)).balance);
const recordsOf = (clientId: string) => lumen.prisma.usageRecord.findMany({ where: { clientId }, orderBy: { id: 'asc' } });

/** An upstream that uses all it is allowed: as many tokens per choice as max_completion_tokens or max_tokens. */
function generous(res: Parameters<TestUpstream['handler']>[0], body: UpstreamBody) {
  const perChoice = body.max_completion_tokens ?? body.max_tokens ?? 3000;
  const usage = usageOf(9, perChoice * (body.n ?? 1));
  if (body.stream) answerStream(res, usage);
  else answer(res, usage);
}

async function call(ai: OpenAI, name: string, params: Record<string, unknown>) {
  // The cases send parameters of every kind, some of which the SDK's types do not list.
  if (!params.stream)
    return ai.chat.completions.create({ model: name, messages: hello, ...params } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  const stream = await ai.chat.completions.create({
    model: name,
    messages: hello,
    ...params,
  } as OpenAI.ChatCompletionCreateParamsStreaming);
  for await (const _chunk of stream) {
    // read it all
  }
}

async function healthOf(modelId: string) {
  const result = await lumen.gql(
    graphql(`
      query V1UpstreamBilling_Models {
        models {
          id
          status
          statusReason
        }
      }
    `),
    {},
    admin,
  );
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.models.find((x) => x.id === gid('Model', modelId));
}

async function overshootMetric(modelName: string): Promise<number> {
  const text = await (await lumen.fetch('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`lumen_upstream_overshoot_total{model="${modelName}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('the output limit goes upstream', () => {
  const cases: { name: string; params: Record<string, unknown>; sent: Record<string, unknown> }[] = [
    {
      name: 'max_tokens above the model limit',
      params: { max_tokens: 3000 },
      sent: { max_tokens: LIMIT, max_completion_tokens: undefined },
    },
    { name: 'max_tokens below the model limit', params: { max_tokens: 20 }, sent: { max_tokens: 20, max_completion_tokens: undefined } },
    {
      name: 'max_completion_tokens above the model limit',
      params: { max_completion_tokens: 3000 },
      sent: { max_completion_tokens: LIMIT, max_tokens: undefined },
    },
    { name: 'no max_tokens', params: {}, sent: { max_tokens: LIMIT, max_completion_tokens: undefined } },
    {
      name: 'n = 3 and max_tokens above the limit (the limit is per choice)',
      params: { max_tokens: 3000, n: 3 },
      sent: { max_tokens: LIMIT, max_completion_tokens: undefined, n: 3 },
    },
  ];
  for (const stream of [false, true]) {
    test(`${stream ? 'streaming' : 'non-streaming'}: the upstream is sent min(requested, limit), and its reported tokens are billed at list price exactly`, async () => {
      const { m, client, ai } = await setup();
      upstream.handler = generous;
      for (const c of cases) {
        await call(ai, m.name, { ...c.params, ...(stream ? { stream: true } : {}) });
        const sent = upstream.received.at(-1)!.body;
        for (const [field, value] of Object.entries(c.sent)) assert.equal(sent?.[field], value, `${c.name}: ${field}`);
      }
      const records = await recordsOf(client.id);
      assert.deepEqual(
        records.map((r) => [r.inputTokens, r.outputTokens, r.status]),
        [
          [9, LIMIT, 'ok'],
          [9, 20, 'ok'],
          [9, LIMIT, 'ok'],
          [9, LIMIT, 'ok'],
          [9, 3 * LIMIT, 'ok'],
        ],
      );
      let total = exact(0);
      for (const r of records) {
        // The list price of the reported tokens: 3000 tokens would have been 6.0000225 coins.
        assert.equal(exact(r.coins).toFixed(), priceOf(m, r.inputTokens, r.outputTokens).toFixed());
        total = total.plus(exact(r.coins));
      }
      assert.equal(total.toFixed(), priceOf(m, 45, 7 * LIMIT - 30).toFixed());
      assert.equal((await balanceOf(client.id)).toFixed(), exact(1000).minus(total).toFixed());
    });
  }
});

describe('an upstream that overshoots', () => {
  const overshooting = (res: Parameters<TestUpstream['handler']>[0], body: UpstreamBody) =>
    body.stream ? answerStream(res, usageOf(9, 3000)) : answer(res, usageOf(9, 3000));

  for (const stream of [false, true]) {
    test(`${stream ? 'streaming' : 'non-streaming'}: is recorded with its real tokens, billed up to the reservation on a LIMITED pool, counted, and makes the model DEGRADED`, async () => {
      const { m, client, ai } = await setup();
      upstream.handler = overshooting;
      assert.deepEqual(await healthOf(m.id), { id: gid('Model', m.id), status: 'OK', statusReason: null });
      await call(ai, m.name, { max_tokens: 3000, ...(stream ? { stream: true } : {}) });
      const [record] = await recordsOf(client.id);
      assert.deepEqual([record.inputTokens, record.outputTokens, record.status], [9, 3000, 'upstream_overshoot']);
      // The reservation: the prompt's bound plus the 50 tokens the upstream was allowed.
      const reserved = priceOf(m, promptTokenBound([hello]), LIMIT);
      assert.ok(reserved.lessThan(priceOf(m, 9, 3000)));
      assert.equal(exact(record.coins).toFixed(), reserved.toFixed());
      assert.equal((await balanceOf(client.id)).toFixed(), exact(1000).minus(reserved).toFixed());
      assert.equal(await overshootMetric(m.name), 1);
      const health = await healthOf(m.id);
      assert.equal(health?.status, 'DEGRADED');
      assert.match(health?.statusReason ?? '', /more tokens than Lumen allowed it in 1 of the last 1 requests/);
    });
  }

  test('on an UNLIMITED pool, nothing is capped: the reported tokens are billed at list price, and the overshoot is still counted', async () => {
    const { m, client, ai } = await setup('UNLIMITED');
    upstream.handler = overshooting;
    await call(ai, m.name, { max_tokens: 3000 });
    const [record] = await recordsOf(client.id);
    assert.deepEqual([record.outputTokens, record.status], [3000, 'upstream_overshoot']);
    assert.equal(exact(record.coins).toFixed(), priceOf(m, 9, 3000).toFixed());
    assert.equal(await overshootMetric(m.name), 1);
  });
});

describe('a non-streamed caller that leaves', () => {
  test('does not stop the upstream: the answer it gets is billed in full', async () => {
    const { m, client, ai } = await setup();
    let arrived!: () => void;
    const upstreamHasIt = new Promise<void>((resolve) => (arrived = resolve));
    let respond!: () => void;
    const callerLeft = new Promise<void>((resolve) => (respond = resolve));
    upstream.handler = (res, body) => {
      arrived();
      void callerLeft.then(() => answer(res, usageOf(9, body.max_tokens!)));
    };
    const events = subscribeOwnerChanges({ clientId: client.id, userId: null })[Symbol.asyncIterator]();
    const metered = events.next();
    const controller = new AbortController();
    const pending = ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 30 }, { signal: controller.signal });
    await upstreamHasIt;
    controller.abort();
    await assert.rejects(pending, OpenAI.APIUserAbortError);
    respond();
    assert.equal((await metered).value.change, 'METERED');
    await events.return?.();
    const sent = upstream.received.at(-1)!;
    assert.equal(sent.abandoned, false, 'Lumen kept waiting for the answer');
    const [record] = await recordsOf(client.id);
    assert.deepEqual([record.inputTokens, record.outputTokens, record.status], [9, 30, 'ok']);
    assert.equal(exact(record.coins).toFixed(), priceOf(m, 9, 30).toFixed());
    assert.equal(
      (await balanceOf(client.id)).toFixed(),
      exact(1000)
        .minus(priceOf(m, 9, 30))
        .toFixed(),
    );
  });
});
