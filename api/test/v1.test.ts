// The /v1 endpoint through the official OpenAI client: answers, streaming, every
// refusal with its status and code, consent, revocation, deactivation and the
// model list. The upstream is Lumen's own echo provider.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSecret } from '../src/domain/secrets.ts';
import { publishInvalidation } from '../src/events/bus.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, pool, refusal, unlimitedClient, shownPool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const hello = [{ role: 'user' as const, content: 'Hello big world' }];

describe('answers', () => {
  test('a non-streaming request gets the echo of the last user message, with token counts', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const answer = await openai(key.secret).chat.completions.create({
      model: m.name,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        ...hello,
      ],
    });
    assert.equal(answer.object, 'chat.completion');
    assert.equal(answer.model, m.name);
    assert.equal(answer.choices[0].message.content, 'Hello big world');
    assert.equal(answer.choices[0].finish_reason, 'stop');
    // 1 per message plus its words: (1+2) + (1+1) + (1+1) + (1+3)
    assert.deepEqual(answer.usage, { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
  });

  test('max_tokens cuts the answer and says so', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const answer = await openai(key.secret).chat.completions.create({ model: m.name, messages: hello, max_tokens: 2 });
    assert.equal(answer.choices[0].message.content, 'Hello big');
    assert.equal(answer.choices[0].finish_reason, 'length');
    assert.equal(answer.usage?.completion_tokens, 2);
  });

  test('a streaming request arrives as chunks, with usage last when asked for', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const stream = await openai(key.secret).chat.completions.create({
      model: m.name,
      messages: hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let usage = null;
    let finish = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.deepEqual(pieces, ['Hello', ' big', ' world']);
    assert.equal(finish, 'stop');
    assert.deepEqual(usage, { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  test('without include_usage no usage chunk is sent', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const stream = await openai(key.secret).chat.completions.create({ model: m.name, messages: hello, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.length >= 4);
    assert.ok(chunks.every((c) => !c.usage && c.choices.length === 1));
  });

  test('n > 1 answers with n choices and counts their tokens', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const answer = await openai(key.secret).chat.completions.create({ model: m.name, messages: hello, n: 2 });
    assert.deepEqual(
      answer.choices.map((c) => c.message.content),
      ['Hello big world', 'Hello big world'],
    );
    assert.equal(answer.usage?.completion_tokens, 6);
  });
});

describe('refusals', () => {
  test('401 without a key, with a malformed key (no database access), an unknown one, a revoked one', async () => {
    const m = await model(admin);
    const { client, key } = await unlimitedClient(lumen, admin);
    const missing = await lumen.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: m.name, messages: hello }),
    });
    assert.equal(missing.status, 401);
    const body = await missing.json();
    assert.equal(body.error.code, 'missing_api_key');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /Authorization: Bearer/);

    const tampered = key.secret.slice(0, -1) + (key.secret.endsWith('A') ? 'B' : 'A');
    const { result: malformed, count } = await lumen.countQueries(() =>
      refusal(openai(tampered).chat.completions.create({ model: m.name, messages: hello })),
    );
    assert.equal(malformed.status, 401);
    assert.equal(malformed.code, 'invalid_api_key');
    assert.match(malformed.message, /malformed/);
    assert.equal(count, 0, 'a malformed key is refused without any SQL');
    assert.equal((await refusal(openai('sk_short').models.list())).status, 401);

    const unknown = await refusal(openai(generateSecret('sk')).chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([unknown.status, unknown.code], [401, 'invalid_api_key']);
    assert.match(unknown.message, /not known/);

    // Works (and is cached), then is revoked through GraphQL and refused on the very next request.
    await openai(key.secret).chat.completions.create({ model: m.name, messages: hello });
    const revoked = await lumen.gql(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { active } } }`,
      { id: gid('ApiKey', key.id) },
      admin,
    );
    assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
    const after = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([after.status, after.code], [401, 'revoked_api_key']);
    assert.equal((await refusal(openai(key.secret).models.list())).status, 401);
    // The client's other keys still work.
    const other = await clientKey(admin, client.id);
    assert.equal((await openai(other.secret).chat.completions.create({ model: m.name, messages: hello })).choices.length, 1);
  });

  test('an sk_ key in a header other than Bearer is refused with a message', async () => {
    const response = await lumen.fetch('/v1/models', { headers: { authorization: 'Basic abc' } });
    assert.equal(response.status, 401);
    assert.match((await response.json()).error.message, /Bearer/);
  });

  test('403 while the client is deactivated, 200 again once reactivated', async () => {
    const m = await model(admin);
    const { client, key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    await ai.chat.completions.create({ model: m.name, messages: hello });
    const setActive = (active: boolean) =>
      lumen.gql(
        `mutation($id: ID!, $active: Boolean!) { setClientActive(input: { clientId: $id, active: $active }) { client { active } } }`,
        { id: client.globalId, active },
        admin,
      );
    assert.equal((await setActive(false)).errors, undefined);
    const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello, stream: true }));
    assert.deepEqual([refused.status, refused.code, refused.type], [403, 'client_deactivated', 'permission_error']);
    assert.match(refused.message, /deactivated/);
    assert.equal((await refusal(ai.models.list())).status, 403);
    assert.equal((await setActive(true)).errors, undefined);
    assert.equal((await ai.chat.completions.create({ model: m.name, messages: hello })).choices[0].message.content, 'Hello big world');
  });

  test('404 for a model that does not exist', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    const refused = await refusal(openai(key.secret).chat.completions.create({ model: 'no-such-model', messages: hello }));
    assert.deepEqual([refused.status, refused.code], [404, 'model_not_found']);
    assert.match(refused.message, /GET \/v1\/models/);
  });

  test('a model created after the key was cached is found at once', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    await openai(key.secret).models.list();
    const m = await model(admin);
    assert.equal((await openai(key.secret).chat.completions.create({ model: m.name, messages: hello })).model, m.name);
  });

  test('403 for a blocked model, which /v1/models leaves out; allowed again when the rule is removed', async () => {
    const m = await model(admin);
    const { client, key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const setAccess = (access: string) =>
      lumen.gql(
        `mutation($c: ID!, $m: ID!, $a: AccessSetting!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: $a }) { client { id } } }`,
        { c: client.globalId, m: gid('Model', m.id), a: access },
        admin,
      );
    assert.ok((await ai.models.list()).data.some((x) => x.id === m.name));
    const blocked = await setAccess('BLOCKED');
    assert.equal(blocked.errors, undefined, JSON.stringify(blocked.errors));
    const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code], [403, 'model_blocked']);
    assert.match(refused.message, /Model Access table/);
    assert.ok(!(await ai.models.list()).data.some((x) => x.id === m.name));
    assert.equal((await setAccess('DEFAULT')).errors, undefined);
    assert.equal((await ai.chat.completions.create({ model: m.name, messages: hello })).model, m.name);
  });

  test('a model blocked by default is refused until the client is allowed it', async () => {
    const m = await model(admin, { defaultAccess: 'BLOCKED' });
    const { client, key } = await unlimitedClient(lumen, admin);
    assert.equal((await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }))).code, 'model_blocked');
    await lumen.gql(
      `mutation($c: ID!, $m: ID!) { setClientModelAccess(input: { clientId: $c, modelId: $m, access: ALLOWED }) { client { id } } }`,
      { c: client.globalId, m: gid('Model', m.id) },
      admin,
    );
    assert.equal((await openai(key.secret).chat.completions.create({ model: m.name, messages: hello })).model, m.name);
  });

  test('a disabled model is refused and not listed', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    await lumen.prisma.model.update({ where: { id: m.id }, data: { disabled: true } });
    publishInvalidation('test: model disabled');
    const refused = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code], [403, 'model_disabled']);
    assert.ok(!(await openai(key.secret).models.list()).data.some((x) => x.id === m.name));
  });

  test('consent: 403 saying how to grant it, until a manager grants it; then 200 and listed', async () => {
    const m = await model(admin, { needsConsent: true, consentNotice: 'Prompts are sent to a third party.' });
    const { client, key } = await unlimitedClient(lumen, admin);
    const manager = await lumen.user();
    await lumen.gql(
      `mutation($c: ID!, $u: ID!) { addClientManager(input: { clientId: $c, userId: $u }) { client { id } } }`,
      { c: client.globalId, u: manager.globalId },
      admin,
    );
    const ai = openai(key.secret);
    for (const stream of [false, true]) {
      const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello, stream }));
      assert.deepEqual([refused.status, refused.code], [403, 'consent_required']);
      assert.match(refused.message, /Model Access table/);
      assert.match(refused.message, /grantModelConsent/);
      assert.ok(refused.message.includes(gid('Model', m.id)), 'the message carries the ids to paste');
      assert.ok(refused.message.includes(client.globalId));
      assert.match(refused.message, /third party/);
    }
    assert.ok(!(await ai.models.list()).data.some((x) => x.id === m.name));
    const granted = await lumen.gql(
      graphql(`
        mutation V1_GrantConsent($c: ID!, $m: ID!) {
          grantModelConsent(input: { clientId: $c, modelId: $m }) {
            modelAccess {
              status
            }
          }
        }
      `),
      { c: client.globalId, m: gid('Model', m.id) },
      manager,
    );
    assert.equal(granted.errors, undefined, JSON.stringify(granted.errors));
    assert.equal(granted.data?.grantModelConsent.modelAccess.status, 'CONSENTED');
    assert.equal((await ai.chat.completions.create({ model: m.name, messages: hello })).choices[0].message.content, 'Hello big world');
    assert.ok((await ai.models.list()).data.some((x) => x.id === m.name));
  });

  test('403 for a client whose coin pool is not configured, saying an admin must set one up', async () => {
    const m = await model(admin);
    const client = await lumen.client(admin);
    const key = await clientKey(admin, client.id);
    const refused = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code, refused.type], [403, 'coin_pool_not_configured', 'insufficient_quota']);
    assert.match(refused.message, /an admin must set one up/);
    assert.equal(await lumen.prisma.usageRecord.count({ where: { clientId: client.id } }), 0);
  });

  test('429 when a LIMITED pool cannot cover the worst case; a smaller max_tokens fits', async () => {
    const m = await model(admin, { inputCoinsPerMillion: '1000000', outputCoinsPerMillion: '1000000', maxOutputTokens: 1000 });
    const client = await lumen.client(admin);
    // One coin per token: the prompt bound (its JSON bytes + 16) plus max_tokens must fit in 200.
    await pool(admin, client.id, { state: 'LIMITED', capacity: '200', balance: '200' });
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code, refused.type], [429, 'insufficient_quota', 'insufficient_quota']);
    assert.match(refused.message, /may cost up to 1\d\d\d coins .* 200 are left/);
    assert.match(refused.message, /no refill/);
    const fits = await ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 50 });
    assert.equal(fits.usage?.total_tokens, 7);
    const after = await shownPool(lumen.prisma, client.id);
    assert.equal(after.balance.toString(), '193', 'the reservation was settled to the actual 7 coins');
  });

  test('400 for bodies that are not chat requests, with messages that say what is wrong', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const post = (body: string) =>
      lumen.fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
        body,
      });
    const cases: [string, RegExp][] = [
      ['{not json', /not valid JSON/],
      ['', /empty/],
      ['[1,2]', /JSON object/],
      [JSON.stringify({ messages: hello }), /"model" is required/],
      [JSON.stringify({ model: m.name }), /"messages" must be a non-empty array/],
      [JSON.stringify({ model: m.name, messages: [] }), /non-empty/],
      [JSON.stringify({ model: m.name, messages: ['hi'] }), /messages\[0\]/],
      [JSON.stringify({ model: m.name, messages: hello, max_tokens: -3 }), /max_tokens must be a whole number/],
      [JSON.stringify({ model: m.name, messages: hello, stream: 'yes' }), /"stream" must be true or false/],
      [JSON.stringify({ model: m.name, messages: hello, n: 1000 }), /n must be a whole number from 1 to 128/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, body);
      const error = (await response.json()).error;
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.message, message);
    }
    const viaSdk = await refusal(openai(key.secret).chat.completions.create({ model: m.name, messages: hello, max_tokens: 0 }));
    assert.equal(viaSdk.status, 400);
    // The server is still up and answering.
    assert.equal((await openai(key.secret).chat.completions.create({ model: m.name, messages: hello })).choices.length, 1);
  });

  test('unknown paths and wrong methods get OpenAI-style errors', async () => {
    const { key } = await unlimitedClient(lumen, admin);
    const headers = { authorization: `Bearer ${key.secret}` };
    const unknown = await lumen.fetch('/v1/audio/speech', { method: 'POST', headers });
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).error.message, /POST \/v1\/chat\/completions, POST \/v1\/completions and POST \/v1\/embeddings/);
    const wrong = await lumen.fetch('/v1/chat/completions', { headers });
    assert.equal(wrong.status, 405);
  });
});

describe('/v1/models', () => {
  test('lists exactly the models callable now, and retrieves one', async () => {
    const open = await model(admin);
    const needsConsent = await model(admin, { needsConsent: true, consentNotice: 'n' });
    const blockedByDefault = await model(admin, { defaultAccess: 'BLOCKED' });
    const { key } = await unlimitedClient(lumen, admin);
    const ai = openai(key.secret);
    const names = (await ai.models.list()).data.map((x) => x.id);
    assert.ok(names.includes(open.name));
    assert.ok(!names.includes(needsConsent.name));
    assert.ok(!names.includes(blockedByDefault.name));
    const listed = (await ai.models.list()).data.find((x) => x.id === open.name)!;
    assert.deepEqual(Object.keys(listed).sort(), ['created', 'id', 'object', 'owned_by']);
    assert.equal(listed.object, 'model');
    assert.equal((await ai.models.retrieve(open.name)).id, open.name);
    assert.equal((await refusal(ai.models.retrieve(blockedByDefault.name))).status, 404);
  });
});

describe('personal keys', () => {
  test("a user's personal key uses the user's own pool; without one it is refused; consent is the user's", async () => {
    const user = await lumen.user();
    const m = await model(admin);
    const consentModel = await model(admin, { needsConsent: true, consentNotice: 'Sent elsewhere.' });
    const created = await lumen.gql(
      graphql(`
        mutation V1_CreatePersonalKey {
          createApiKey(input: { name: "mine" }) {
            secret
          }
        }
      `),
      {},
      user,
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const ai = openai(created.data!.createApiKey.secret);
    const noPool = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([noPool.status, noPool.code], [403, 'coin_pool_not_configured']);
    assert.match(noPool.message, /personal keys/);
    await lumen.prisma.coinPool.create({ data: { userId: user.id, state: 'UNLIMITED' } });
    publishInvalidation('test: user pool');
    assert.equal((await ai.chat.completions.create({ model: m.name, messages: hello })).usage?.total_tokens, 7);
    const consent = await refusal(ai.chat.completions.create({ model: consentModel.name, messages: hello }));
    assert.equal(consent.code, 'consent_required');
    assert.match(consent.message, /grantModelConsent\(input: \{ modelId/);
    const granted = await lumen.gql(
      `mutation($m: ID!) { grantModelConsent(input: { modelId: $m }) { modelAccess { status } } }`,
      { m: gid('Model', consentModel.id) },
      user,
    );
    assert.equal(granted.errors, undefined, JSON.stringify(granted.errors));
    assert.equal((await ai.chat.completions.create({ model: consentModel.name, messages: hello })).model, consentModel.name);
    const usage = await lumen.prisma.modelUsage.findMany({ where: { userId: user.id } });
    assert.equal(usage.length, 2);
    assert.equal(await lumen.prisma.usageRecord.count({ where: { userId: user.id } }), 2);

    const deactivated = await lumen.gql(
      `mutation($u: ID!) { setUserActive(input: { userId: $u, active: false }) { user { id } } }`,
      { u: user.globalId },
      admin,
    );
    assert.equal(deactivated.errors, undefined, JSON.stringify(deactivated.errors));
    const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: hello }));
    assert.deepEqual([refused.status, refused.code], [403, 'user_deactivated']);
  });
});
