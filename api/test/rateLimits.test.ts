// Rate limits per key, client and user through the official OpenAI client: the 429 and
// OpenAI's x-ratelimit-* headers for each level and each kind of limit, no headers without a
// limit, the SDK's own retry succeeding once the window resets, tokens corrected at
// settlement, no SQL added per request, and who may set which limit. The windows run on a
// clock the test drives (configureRateWindows), so nothing waits for a minute to pass.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { setApiKeyRateLimits, setClientRateLimits, setUserRateLimits } from '../src/domain/rateLimits.ts';
import { configureRateWindows } from '../src/domain/rateWindows.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { formatReset } from '../src/v1/rateLimits.ts';
import { app } from '../src/yoga.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model, openai, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let echo: string;
/** The clock the windows are read from: 10 s into a minute. */
let now = 0;
const WINDOW = 60_000;

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  echo = (await model(admin)).name;
});
beforeEach(() => {
  now = 1_000 * WINDOW + 10_000;
  configureRateWindows({ now: () => now });
});
after(async () => {
  configureRateWindows();
  await lumen.close();
});

const say = (text: string) => [{ role: 'user' as const, content: text }];

/** A chat request and its response headers. */
async function chat(ai: OpenAI, text = 'hello', maxTokens = 10) {
  const { data, response } = await ai.chat.completions.create({ model: echo, messages: say(text), max_tokens: maxTokens }).withResponse();
  return { data, headers: response.headers };
}

/** The refusal an SDK call raised, with its headers. */
async function refused(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof OpenAI.APIError)
      return { status: error.status, code: error.code, type: error.type, message: error.message, headers: error.headers! };
    throw error;
  }
  throw new Error('expected the call to be refused, and it succeeded');
}

const limitHeaders = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([name]) => name.startsWith('x-ratelimit-') || name.startsWith('retry-after')));

describe('the 429 and the headers', () => {
  test('a key limit on requests: headers on every answer, then 429 with retry-after, until the window resets', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    await setApiKeyRateLimits(admin.viewer, key.id, { requestsPerMinute: 2 });
    const ai = openai(key.secret);
    const first = await chat(ai);
    assert.deepEqual(limitHeaders(first.headers), {
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '50s',
    });
    now += 5_000;
    assert.equal((await chat(ai)).headers.get('x-ratelimit-remaining-requests'), '0');
    const no = await refused(ai.chat.completions.create({ model: echo, messages: say('again') }));
    assert.deepEqual([no.status, no.code, no.type], [429, 'rate_limit_exceeded', 'rate_limit_exceeded']);
    assert.match(no.message, /this key \(.+\): 2 requests per minute\. The limit resets in 45s/);
    assert.deepEqual(limitHeaders(no.headers), {
      'retry-after': '45',
      'retry-after-ms': '45000',
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '45s',
    });
    // The model list answers the same key with the same headers; it counts nothing.
    const models = await ai.models.list().withResponse();
    assert.equal(models.response.headers.get('x-ratelimit-remaining-requests'), '0');
    now += 45_000; // the next window
    assert.equal((await chat(ai)).headers.get('x-ratelimit-remaining-requests'), '1');
  });

  test("a client's limit on tokens covers all its keys, and the headers name the tighter level", async () => {
    const { client, key } = await unlimitedClient(lumen, admin);
    const other = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'second' });
    // Requests: the key's 2 is tighter than the client's 3; tokens: only the client has a limit.
    await setClientRateLimits(admin.viewer, client.id, { requestsPerMinute: 3, tokensPerMinute: 20 });
    await setApiKeyRateLimits(admin.viewer, key.id, { requestsPerMinute: 2, tokensPerMinute: null });
    const first = await chat(openai(key.secret), 'one two three four five six');
    // Counted: 7 input + 6 output tokens (the echo's), the worst case corrected at settlement.
    assert.equal(first.data.usage?.total_tokens, 13);
    assert.deepEqual(limitHeaders(first.headers), {
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '50s',
      'x-ratelimit-limit-tokens': '20',
      'x-ratelimit-remaining-tokens': '7',
      'x-ratelimit-reset-tokens': '50s',
    });
    // 13 < 20: admitted (its worst case passes the limit: at most one request over); then none.
    await chat(openai(other.secret), 'one two three four five six');
    const no = await refused(openai(other.secret).chat.completions.create({ model: echo, messages: say('x'), max_tokens: 1 }));
    assert.equal(no.status, 429);
    assert.equal(no.code, 'rate_limit_exceeded');
    assert.match(no.message, new RegExp(`client "${client.name}" \\(all its keys together\\): 20 tokens per minute`));
    assert.match(no.message, /resets in 50s/);
    assert.equal(no.headers.get('x-ratelimit-remaining-tokens'), '0');
    assert.equal(no.headers.get('retry-after'), '50');
  });

  test('a client limit on requests refuses a key of the client that has no limit of its own', async () => {
    const { client, key } = await unlimitedClient(lumen, admin);
    await setClientRateLimits(admin.viewer, client.id, { requestsPerMinute: 1 });
    await chat(openai(key.secret));
    const no = await refused(openai(key.secret).chat.completions.create({ model: echo, messages: say('x') }));
    assert.equal(no.status, 429);
    assert.match(no.message, /client ".*" \(all its keys together\): 1 requests per minute/);
    assert.equal(no.headers.get('x-ratelimit-limit-requests'), '1');
    assert.equal(no.headers.get('x-ratelimit-limit-tokens'), null);
  });

  test('a key limit on tokens: admitted while below it, the worst case counted until settled', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    await setApiKeyRateLimits(admin.viewer, key.id, { tokensPerMinute: 5 });
    const ai = openai(key.secret);
    // Far more than 5 tokens (worst case and actual): admitted, since nothing was counted yet.
    const first = await chat(ai, 'a b c', 1000);
    assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), '0');
    assert.equal(first.headers.get('x-ratelimit-limit-requests'), null);
    const no = await refused(ai.chat.completions.create({ model: echo, messages: say('x'), max_tokens: 1 }));
    assert.equal(no.status, 429);
    assert.match(no.message, /this key .*: 5 tokens per minute/);
  });

  test("a user's limit covers their personal keys", async () => {
    const user = await lumen.user();
    await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
    await setUserRateLimits(admin.viewer, user.id, { requestsPerMinute: 1 });
    const { secret } = await createApiKey(user.viewer, { userId: user.id }, { name: 'mine' });
    assert.equal((await chat(openai(secret))).headers.get('x-ratelimit-limit-requests'), '1');
    const no = await refused(openai(secret).chat.completions.create({ model: echo, messages: say('x') }));
    assert.equal(no.status, 429);
    assert.match(no.message, /your personal keys together: 1 requests per minute/);
  });

  test('no headers when no limit applies', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    assert.deepEqual(limitHeaders((await chat(openai(key.secret))).headers), {});
  });

  test('a limit set after a key was used applies at once (the key cache is emptied)', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    await chat(ai);
    await chat(ai);
    await setApiKeyRateLimits(admin.viewer, key.id, { requestsPerMinute: 1 });
    await chat(ai); // a new limit counts from now on this instance
    assert.equal((await refused(ai.chat.completions.create({ model: echo, messages: say('x') }))).status, 429);
  });

  test("the SDK's own retry succeeds after the reset (retry-after-ms)", async () => {
    const { key } = await unlimitedClient(lumen, admin);
    await setApiKeyRateLimits(admin.viewer, key.id, { requestsPerMinute: 1 });
    now = 1_000 * WINDOW + WINDOW - 300; // 300 ms before the window ends
    const statuses: number[] = [];
    const ai = new OpenAI({
      apiKey: key.secret,
      baseURL: 'http://lumen.test/v1',
      maxRetries: 2,
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        const response = await app.fetch(new Request(url as string, init));
        statuses.push(response.status);
        // The SDK waits retry-after-ms on the real clock; the windows' clock moves as much.
        if (response.status === 429) now += Number(response.headers.get('retry-after-ms'));
        return response;
      },
    });
    await ai.chat.completions.create({ model: echo, messages: say('first') });
    const answer = await ai.chat.completions.create({ model: echo, messages: say('retried') });
    assert.equal(answer.choices[0].message.content, 'retried');
    assert.deepEqual(statuses, [200, 429, 200]);
  });

  test('durations are written as OpenAI writes them', () => {
    assert.deepEqual([1, 1000, 1001, 45_000, 60_000, 360_000, 3_723_000].map(formatReset), [
      '1s',
      '1s',
      '2s',
      '45s',
      '1m0s',
      '6m0s',
      '1h2m3s',
    ]);
  });
});

test('limits add no SQL statement to a /v1 request', async () => {
  const plain = await unlimitedClient(lumen, admin);
  const limited = await unlimitedClient(lumen, admin);
  await setClientRateLimits(admin.viewer, limited.client.id, { requestsPerMinute: 1000, tokensPerMinute: 1_000_000 });
  await setApiKeyRateLimits(admin.viewer, limited.key.id, { requestsPerMinute: 500, tokensPerMinute: 100_000 });
  const count = async (secret: string) => {
    await chat(openai(secret)); // warm: the key is cached, the pool's state known
    return (await lumen.countQueries(() => chat(openai(secret)))).count;
  };
  assert.equal(await count(limited.key.secret), await count(plain.key.secret));
});

describe('setting limits', () => {
  const SetClient = graphql(`
    mutation RateLimits_SetClient($c: ID!, $r: Int, $t: Int) {
      setClientRateLimits(input: { clientId: $c, requestsPerMinute: $r, tokensPerMinute: $t }) {
        client {
          rateLimits {
            requestsPerMinute
            tokensPerMinute
            requests
            tokens
            resetsAt
          }
        }
      }
    }
  `);
  const SetKey = graphql(`
    mutation RateLimits_SetKey($k: ID!, $r: Int, $t: Int) {
      setApiKeyRateLimits(input: { apiKeyId: $k, requestsPerMinute: $r, tokensPerMinute: $t }) {
        apiKey {
          rateLimits {
            requestsPerMinute
            tokensPerMinute
            requests
          }
        }
      }
    }
  `);
  const SetUser = graphql(`
    mutation RateLimits_SetUser($u: ID!, $r: Int) {
      setUserRateLimits(input: { userId: $u, requestsPerMinute: $r }) {
        user {
          rateLimits {
            requestsPerMinute
            tokensPerMinute
          }
        }
      }
    }
  `);

  test('admins set a client’s limits; its current use is shown; omitted fields are kept, null clears', async () => {
    const { client, key } = await unlimitedClient(lumen, admin);
    const set = assertOk(await lumen.gql(SetClient, { c: client.globalId, r: 10, t: 5000 }, admin));
    assert.deepEqual(
      { ...set.setClientRateLimits.client.rateLimits, resetsAt: undefined },
      { requestsPerMinute: 10, tokensPerMinute: 5000, requests: 0, tokens: 0, resetsAt: undefined },
    );
    assert.equal(set.setClientRateLimits.client.rateLimits.resetsAt, new Date(1_001 * WINDOW).toISOString());
    await chat(openai(key.secret), 'one two', 10);
    const after = assertOk(await lumen.gql(SetClient, { c: client.globalId, t: null }, admin));
    // 1 request; 3 input + 2 output tokens (the worst case was corrected when settled).
    assert.deepEqual(
      { ...after.setClientRateLimits.client.rateLimits, resetsAt: undefined },
      { requestsPerMinute: 10, tokensPerMinute: null, requests: 1, tokens: 5, resetsAt: undefined },
    );
    assertErrorCode(
      await lumen.gql(SetClient, { c: client.globalId, r: 0 }, admin),
      'BAD_USER_INPUT',
      /requestsPerMinute must be a whole number from 1/,
    );
  });

  test("managers set their keys' limits within the client's, and not the client's", async () => {
    const manager = await lumen.user();
    const { client, key } = await unlimitedClient(lumen, admin);
    await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
    assertErrorCode(await lumen.gql(SetClient, { c: client.globalId, r: 10 }, manager), 'FORBIDDEN');
    assertOk(await lumen.gql(SetClient, { c: client.globalId, r: 10 }, admin));
    const k = gid('ApiKey', key.id);
    const within = assertOk(await lumen.gql(SetKey, { k, r: 10, t: 1000 }, manager));
    assert.deepEqual(within.setApiKeyRateLimits.apiKey.rateLimits, { requestsPerMinute: 10, tokensPerMinute: 1000, requests: 0 });
    assertErrorCode(
      await lumen.gql(SetKey, { k, r: 11 }, manager),
      'BAD_USER_INPUT',
      new RegExp(`requestsPerMinute can be at most 10, the limit of client "${client.name}"`),
    );
    // A stranger may not touch the key.
    const stranger = await lumen.user();
    assertErrorCode(await lumen.gql(SetKey, { k, r: 1 }, stranger), 'FORBIDDEN');
  });

  test("admins set a user's limits; the user may not", async () => {
    const user = await lumen.user();
    assertErrorCode(await lumen.gql(SetUser, { u: user.globalId, r: 5 }, user), 'FORBIDDEN');
    const set = assertOk(await lumen.gql(SetUser, { u: user.globalId, r: 5 }, admin));
    assert.deepEqual(set.setUserRateLimits.user.rateLimits, { requestsPerMinute: 5, tokensPerMinute: null });
  });
});
