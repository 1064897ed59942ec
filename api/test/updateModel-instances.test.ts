// updateModel on a deployment of two instances (one PostgreSQL, one Redis): a model
// disabled on A is refused by B at once, though B had the key (and the model) cached,
// and a price changed on A bills B's next request. Renaming on A makes B answer to
// the new name. Needs LUMEN_TEST_DATABASE_URL and REDIS_TEST_URL (CI sets both); skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql } from './gql/index.ts';
import { gqlOn, startTwoInstances, type Instance, type TwoInstances } from './support/instances.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { exact } from '../src/domain/coins.ts';
import { gid } from './support/lumen.ts';
import { model, openai, refusal } from './support/v1.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_TEST_URL;
const skip = !adminUrl || !redisUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL) and REDIS_TEST_URL (Redis); CI sets both' : false;

const UpdateModel = graphql(`
  mutation UpdateModelInstances_Update($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model {
        name
        disabled
      }
    }
  }
`);

const say = (text: string) => [{ role: 'user' as const, content: text }];

describe('updateModel on two instances', { skip }, () => {
  let deployment: TwoInstances;
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let clientId: string;
  let viewer: TwoInstances['viewer'];

  before(async () => {
    deployment = await startTwoInstances({ adminUrl: adminUrl!, redisUrl: redisUrl!, name: 'update_model' });
    ({ a, b, adminToken, clientId, viewer } = deployment);
  });

  after(() => deployment?.close());

  /** A fresh model and a key whose access B has cached (it served a request with it). */
  async function cachedOnB(input: Parameters<typeof model>[1] = {}) {
    const m = await model({ viewer }, input);
    const { secret: key } = await createApiKey(viewer, { clientId }, { name: `key for ${m.name}` });
    const onB = openai(key, `${b.url}/v1`);
    const answer = await onB.chat.completions.create({ model: m.name, messages: say('cached on B') });
    assert.equal(answer.choices[0].message.content, 'cached on B');
    return { m, onB };
  }

  const updateOnA = async (modelId: string, fields: Record<string, unknown>) => {
    const result = await gqlOn(a, adminToken, UpdateModel, { input: { modelId: gid('Model', modelId), ...fields } });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.updateModel.model;
  };

  test('a model disabled on A is refused by B at once with 403 model_disabled, and allowed again once enabled', async () => {
    const { m, onB } = await cachedOnB();
    assert.equal((await updateOnA(m.id, { disabled: true })).disabled, true);
    const refused = await refusal(onB.chat.completions.create({ model: m.name, messages: say('disabled') }));
    assert.deepEqual([refused.status, refused.code], [403, 'model_disabled']);
    await updateOnA(m.id, { disabled: false });
    assert.equal((await onB.chat.completions.create({ model: m.name, messages: say('again') })).choices[0].message.content, 'again');
  });

  test("a price changed on A bills B's next request", async () => {
    const { m, onB } = await cachedOnB({ inputCoinsPerMillion: '1', outputCoinsPerMillion: '1' });
    await updateOnA(m.id, { inputCoinsPerMillion: '500000', outputCoinsPerMillion: '700000' });
    const answer = await onB.chat.completions.create({ model: m.name, messages: say('new price') });
    const record = await deployment.database.prisma.usageRecord.findFirstOrThrow({
      where: { modelId: m.id },
      orderBy: { createdAt: 'desc' },
    });
    const expected = exact(answer.usage!.prompt_tokens)
      .times(500_000)
      .plus(exact(answer.usage!.completion_tokens).times(700_000))
      .dividedBy(1_000_000);
    assert.equal(exact(record.coins).toFixed(), expected.toFixed());
  });

  test('a model renamed on A answers to its new name on B', async () => {
    const { m, onB } = await cachedOnB();
    const renamed = await updateOnA(m.id, { name: `${m.name}-new` });
    const old = await refusal(onB.chat.completions.create({ model: m.name, messages: say('old name') }));
    assert.deepEqual([old.status, old.code], [404, 'model_not_found']);
    assert.equal(
      (await onB.chat.completions.create({ model: renamed.name, messages: say('new name') })).choices[0].message.content,
      'new name',
    );
  });
});
