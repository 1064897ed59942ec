// Bad input tried systematically (fast-check): every mutation's input is generated
// from the schema with hostile values (oversized and unicode text, wrong types,
// unknown ids and ids of other types, SQL and HTML fragments, odd numbers). Each
// call either succeeds or fails with BAD_USER_INPUT and leaves the database as it
// was; none is an internal error, and the server keeps answering.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { resetRateLimits } from '../src/http/rateLimits.ts';
import { schema } from '../src/schema/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model as echoModel, shownPool } from './support/v1.ts';

const RUNS = Number(process.env.LUMEN_FUZZ_RUNS ?? 15);

/** The `error` object of an answer, if it has one (a hostile request's answer may be anything). */
function envelopeError(answer: unknown): Record<string, unknown> | undefined {
  if (typeof answer !== 'object' || answer === null || !('error' in answer)) return undefined;
  const { error } = answer;
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : undefined;
}

let lumen: TestLumen;
let admin: TestUser;
/** The admin's browser session: mutations are called as the admin UI calls them (tokens may not create tokens). */
let adminSession: { cookie: string };
let realIds: Record<string, string>;

before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  adminSession = await lumen.session(admin);
  const client = await lumen.client(admin, 'Fuzzed');
  const model = await echoModel(admin, { name: 'fuzz-model', needsConsent: true, consentNotice: 'n' });
  const { apiKey } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'k' });
  realIds = { Client: client.globalId, Model: gid('Model', model.id), ApiKey: gid('ApiKey', apiKey.id), User: admin.globalId };
});
after(() => lumen.close());

const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: 'binary', minLength: 95, maxLength: 400 }),
  fc.constantFrom(
    '',
    '   ',
    '\n',
    '\u0000',
    'a\u202eb',
    '\'; DROP TABLE "Client"; --',
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    '🦄'.repeat(101),
    'é'.normalize('NFD'),
  ),
);
const anyId = fc.oneof(
  fc.constantFrom(...['Client', 'Model', 'ApiKey', 'User'].map((t) => () => realIds[t])).map((f) => f()),
  fc.uuid().map((u) => gid('Client', u)),
  fc.uuid().map((u) => gid('ApiKey', u)),
  hostileText,
  fc.base64String({ maxLength: 60 }),
);
const coins = fc.oneof(
  fc.constantFrom('0', '1', '12.5', '-1', '1e3', 'NaN', 'Infinity', '0.0000000000001', '9'.repeat(40), ' 7 ', '0x10'),
  hostileText,
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** A value for a GraphQL input type: usually of the right shape with hostile content, sometimes of the wrong type. */
function valueFor(type: GraphQLInputType): fc.Arbitrary<unknown> {
  const named = getNamedType(type);
  let right: fc.Arbitrary<unknown>;
  if (isListType(isNonNullType(type) ? type.ofType : type))
    right = fc.array(valueFor(getNamedType(type) as GraphQLInputType), { maxLength: 3 });
  else if (isInputObjectType(named)) {
    right = fc.record(Object.fromEntries(Object.values(named.getFields()).map((field) => [field.name, valueFor(field.type)])), {
      requiredKeys: Object.values(named.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => f.name),
    });
  } else if (isEnumType(named)) right = fc.oneof(fc.constantFrom(...named.getValues().map((v) => v.name)), hostileText);
  else if (isScalarType(named) && named.name === 'ID') right = anyId;
  else if (isScalarType(named) && named.name === 'Coins') right = coins;
  else if (isScalarType(named) && named.name === 'Int') right = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31, 1.5));
  else if (isScalarType(named) && named.name === 'Boolean') right = fc.boolean();
  else right = hostileText;
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wrongType });
}

const mutations = Object.values(schema.getMutationType()!.getFields());

for (const mutation of mutations) {
  test(`${mutation.name}: hostile input gets a clear answer and changes nothing when refused`, async () => {
    const inputArg = mutation.args.find((a) => a.name === 'input')!;
    const inputType = getNamedType(inputArg.type);
    // Select only scalars of the payload's first object: enough to run the resolver.
    const query = `mutation($input: ${inputType.name}!) { ${mutation.name}(input: $input) { __typename } }`;
    await fc.assert(
      fc.asyncProperty(valueFor(inputArg.type), async (input) => {
        resetRateLimits();
        const before = await lumen.snapshot();
        const result = await lumen.gql(query, { input }, adminSession);
        if (!result.errors) return;
        const error = result.errors[0];
        assert.equal(
          error.extensions?.code,
          'BAD_USER_INPUT',
          `${mutation.name}(${JSON.stringify(input).slice(0, 300)}) → ${JSON.stringify(result.errors)}`,
        );
        assert.ok(error.message.length > 0 && error.message.length < 400, 'the message is readable');
        assert.equal(await lumen.snapshot(), before, 'a refused call changed the database');
      }),
      { numRuns: RUNS },
    );
  });
}

test('random selections, deep or wide, never crash the server', async () => {
  const field = fc.constantFrom(
    'id',
    'name',
    'email',
    'usage { requests }',
    'apiKeys { totalCount }',
    'nonsense',
    '__typename',
    '...on User { id }',
  );
  const selection: fc.Arbitrary<string> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      field,
      fc
        .tuple(fc.constantFrom('viewer', 'a', 'client(id: "x")'), fc.array(tie('node'), { minLength: 1, maxLength: 4 }))
        .map(([f, inner]) => `${f} { ${(inner as string[]).join(' ')} }`),
    ),
  })).node as fc.Arbitrary<string>;
  await fc.assert(
    fc.asyncProperty(fc.array(selection, { minLength: 1, maxLength: 30 }), async (parts) => {
      const result = await lumen.gql(`{ ${parts.join(' ')} }`, {}, admin);
      for (const error of result.errors ?? []) assert.notEqual(error.extensions?.code, 'INTERNAL_SERVER_ERROR', JSON.stringify(error));
    }),
    { numRuns: RUNS * 3 },
  );
  assert.equal((await lumen.fetch('/healthz')).status, 200);
});

test('/v1/chat/completions: hostile bodies get an OpenAI-style error, never a 5xx, and are not billed', async () => {
  const client = await lumen.client(admin, 'Fuzzed v1');
  await lumen.gql(
    `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "1000000" }) { client { id } } }`,
    { c: client.globalId },
    admin,
  );
  await echoModel(admin, { name: 'fuzz-echo', inputCoinsPerMillion: '1', outputCoinsPerMillion: '1' });
  const { secret } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'fuzz' });
  const message = fc.record(
    { role: fc.oneof(fc.constantFrom('user', 'system', 'assistant'), hostileText), content: fc.oneof(hostileText, wrongType) },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc
      .record(
        {
          model: fc.oneof(fc.constant('fuzz-echo'), hostileText, wrongType),
          messages: fc.oneof(fc.array(message, { maxLength: 4 }), wrongType),
          max_tokens: fc.oneof(fc.integer({ min: -5, max: 5000 }), wrongType),
          stream: fc.oneof(fc.boolean(), wrongType),
          n: fc.oneof(fc.integer({ min: -1, max: 3 }), wrongType),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value)),
    hostileText,
    fc.constantFrom('{', '[]', 'null', '{"model": "fuzz-echo", "messages": [{"role": "user", "content": "hi"}]}'),
  );
  await fc.assert(
    fc.asyncProperty(body, async (text) => {
      const records = await lumen.prisma.usageRecord.count({ where: { clientId: client.id } });
      const pool = await shownPool(lumen.prisma, client.id);
      const response = await lumen.fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: text,
      });
      assert.ok(response.status < 500, `${response.status} for ${text.slice(0, 200)}: ${await response.clone().text()}`);
      const answer = response.headers.get('content-type')?.includes('text/event-stream') ? await response.text() : await response.json();
      if (response.status === 200) return;
      const error = envelopeError(answer);
      assert.ok(
        error && typeof error.message === 'string' && error.type && error.code,
        `not an OpenAI error envelope: ${JSON.stringify(answer)}`,
      );
      assert.equal(await lumen.prisma.usageRecord.count({ where: { clientId: client.id } }), records, 'a refused request was recorded');
      const after = await shownPool(lumen.prisma, client.id);
      assert.equal(after.balance.toString(), pool.balance.toString(), 'a refused request moved coins');
    }),
    { numRuns: RUNS * 4 },
  );
});
