// Only environment variables named LUMEN_UPSTREAM_KEY_<NAME> may hold an upstream
// key: createModel refuses any other, and a model stored with another one (before
// the rule, or by hand) never sends that variable's value: it answers 502 and
// shows DOWN with the reason.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forgetKeys } from '../src/v1/keyCache.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { startUpstream, type TestUpstream } from './support/upstream.ts';
import { clientKey, openai, pool, refusal, shownPool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let upstream: TestUpstream;
const SERVER_SECRET = 'the-server-secret-that-must-never-leave-0123456789';

before(async () => {
  // What an admin could have sent anywhere: the server's own secrets.
  process.env.LUMEN_SECRET = SERVER_SECRET;
  process.env.LUMEN_UPSTREAM_KEY_ALLOWED_TEST = 'upstream-secret-789';
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
  await lumen.close();
});

const CREATE = graphql(`
  mutation UpstreamKeyEnv_CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      model {
        id
        name
      }
    }
  }
`);
const input = (name: string, upstreamKeyEnv: string) => ({
  name,
  provider: 'openai-compatible',
  upstreamModel: 'gpt',
  upstreamBaseUrl: upstream.url,
  upstreamKeyEnv,
  inputCoinsPerMillion: '1',
  outputCoinsPerMillion: '1',
});

test('createModel refuses an upstreamKeyEnv not named LUMEN_UPSTREAM_KEY_<NAME>, and says so', async () => {
  for (const name of ['LUMEN_SECRET', 'DATABASE_URL', 'LUMEN_OIDC_CLIENT_SECRET', 'OPENAI_API_KEY', 'LUMEN_UPSTREAM_KEY_']) {
    const before = await lumen.snapshot();
    const result = await lumen.gql(CREATE, { input: input(`m-${name.toLowerCase()}`, name) }, admin);
    assert.equal(result.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', name);
    assert.equal(result.errors?.[0]?.extensions?.field, 'upstreamKeyEnv');
    assert.match(result.errors![0].message, /must be in an environment variable named LUMEN_UPSTREAM_KEY_<NAME>/);
    assert.equal(await lumen.snapshot(), before, `${name}: nothing was created`);
  }
  const allowed = await lumen.gql(CREATE, { input: input('m-allowed', 'LUMEN_UPSTREAM_KEY_ALLOWED_TEST') }, admin);
  assert.equal(allowed.errors, undefined, JSON.stringify(allowed.errors));
  assert.equal(allowed.data?.createModel.model.name, 'm-allowed');
});

test('a model stored with another variable answers 502 upstream_key_env_not_allowed, sends nothing upstream, and is DOWN with the reason', async () => {
  // As if stored before the rule existed: straight into the database.
  const m = await lumen.prisma.model.create({
    data: {
      name: 'legacy-model',
      provider: 'openai-compatible',
      upstreamModel: 'gpt',
      upstreamBaseUrl: upstream.url,
      upstreamKeyEnv: 'LUMEN_SECRET',
      inputCoinsPerMillion: '1',
      outputCoinsPerMillion: '1',
    },
  });
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: '10', balance: '10' });
  const ai = openai((await clientKey(admin, client.id)).secret);
  upstream.received.length = 0;
  upstream.handler = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  };
  for (const stream of [false, true]) {
    const refused = await refusal(ai.chat.completions.create({ model: m.name, messages: [{ role: 'user', content: 'Hello' }], stream }));
    assert.deepEqual([refused.status, refused.code], [502, 'upstream_key_env_not_allowed']);
    assert.match(refused.message, /LUMEN_SECRET.*LUMEN_UPSTREAM_KEY_<NAME>/);
    assert.ok(!refused.message.includes(SERVER_SECRET));
  }
  assert.equal(upstream.received.length, 0, 'nothing was sent upstream');
  const pooled = await shownPool(lumen.prisma, client.id);
  assert.equal(pooled.balance.toString(), '10', 'the reservations were given back');

  const result = await lumen.gql(
    graphql(`
      query UpstreamKeyEnv_Models {
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
  const shown = result.data?.models.find((x) => x.id === gid('Model', m.id));
  assert.equal(shown?.status, 'DOWN');
  assert.match(shown.statusReason ?? '', /environment variable LUMEN_SECRET.*LUMEN_UPSTREAM_KEY_<NAME>.*An admin must/);

  // Pointed at an allowed variable, it works again.
  await lumen.prisma.model.update({ where: { id: m.id }, data: { upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_ALLOWED_TEST' } });
  forgetKeys(); // a change outside the API is seen once the key cache expires (a minute); no need to wait for it here
  upstream.handler = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  };
  await ai.chat.completions.create({ model: m.name, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(upstream.received.at(-1)!.headers.authorization, 'Bearer upstream-secret-789');
});
