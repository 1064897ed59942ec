// updateModel: any field of a model, changed by an admin. A rename keeps the model's usage,
// consents and access rules; a price change bills requests admitted afterwards, never one
// already in flight; a disabled model is refused by /v1 at once (its cache is emptied) and
// still listed. Also the fields the Models page reads: clientsWithAccess, requestsLast24Hours
// (one statement for the whole list), the upstream settings and viewerCan.manageModels.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { grantModelConsent, setClientModelAccess } from '../src/domain/modelAccess.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, pool, refusal, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let manager: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  manager = await lumen.user();
});
after(() => lumen.close());

const say = (text: string) => [{ role: 'user' as const, content: text }];

const UpdateModel = graphql(`
  mutation UpdateModel_Update($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model {
        id
        name
        provider
        upstreamModel
        upstreamBaseUrl
        upstreamKeyEnv
        inputCoinsPerMillion
        outputCoinsPerMillion
        maxOutputTokens
        defaultAccess
        needsConsent
        consentNotice
        disabled
        status
      }
    }
  }
`);

const ModelsPage = graphql(`
  query UpdateModel_Models {
    viewerCan {
      manageModels
    }
    models {
      id
      name
      disabled
      status
      requestsLast24Hours
      upstreamBaseUrl
      upstreamKeyEnv
      clientsWithAccess {
        rule
        client {
          id
          name
        }
      }
    }
  }
`);

const ManagerModels = graphql(`
  query UpdateModel_ManagerModels {
    models {
      name
      disabled
    }
  }
`);

const ViewerCan = graphql(`
  query UpdateModel_ViewerCan {
    viewerCan {
      manageModels
    }
  }
`);

const update = (modelId: string, fields: Record<string, unknown>) =>
  lumen.gql(UpdateModel, { input: { modelId: gid('Model', modelId), ...fields } }, admin);

describe('updateModel', () => {
  test('changes the given fields and keeps the others, with an audit entry naming each change', async () => {
    const m = await model(admin, { maxOutputTokens: 100, consentNotice: 'Before.' });
    const changed = assertOk(
      await update(m.id, {
        provider: 'openai-compatible',
        upstreamModel: 'gpt-x',
        upstreamBaseUrl: 'https://upstream.example.org/v1/',
        upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_EXAMPLE',
        outputCoinsPerMillion: '2.500000',
        needsConsent: true,
      }),
    ).updateModel.model;
    assert.deepEqual(
      {
        ...changed,
        id: undefined,
        status: undefined,
      },
      {
        id: undefined,
        status: undefined,
        name: m.name,
        provider: 'openai-compatible',
        upstreamModel: 'gpt-x',
        upstreamBaseUrl: 'https://upstream.example.org/v1',
        upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_EXAMPLE',
        inputCoinsPerMillion: '1000',
        outputCoinsPerMillion: '2.5',
        maxOutputTokens: 100,
        defaultAccess: 'ALLOWED',
        needsConsent: true,
        consentNotice: 'Before.',
        disabled: false,
      },
    );
    const audit = await lumen.prisma.auditEntry.findFirstOrThrow({ where: { targetId: m.id, action: 'model.update' } });
    assert.equal(audit.actorId, admin.id);
    assert.deepEqual(audit.details, {
      name: m.name,
      changes: {
        provider: { from: 'echo', to: 'openai-compatible' },
        upstreamModel: { from: 'echo', to: 'gpt-x' },
        upstreamBaseUrl: { from: null, to: 'https://upstream.example.org/v1' },
        upstreamKeyEnv: { from: null, to: 'LUMEN_UPSTREAM_KEY_EXAMPLE' },
        outputCoinsPerMillion: { from: '3000', to: '2.5' },
        needsConsent: { from: false, to: true },
      },
    });
    // Back to echo: the upstream settings go, as createModel stores an echo model.
    const echo = assertOk(await update(m.id, { provider: 'echo', upstreamModel: 'echo' })).updateModel.model;
    assert.deepEqual([echo.upstreamBaseUrl, echo.upstreamKeyEnv], [null, null]);
  });

  test('a change to nothing records nothing', async () => {
    const m = await model(admin);
    const before = await lumen.snapshot();
    assertOk(await update(m.id, { name: m.name, inputCoinsPerMillion: '1000.000', disabled: false }));
    assert.equal(await lumen.snapshot(), before);
  });

  test('a model stored with a refused key variable can still be changed (and disabled) without touching it', async () => {
    const m = await model(admin, { provider: 'openai-compatible', upstreamBaseUrl: 'https://example.org/v1' });
    await lumen.prisma.model.update({ where: { id: m.id }, data: { upstreamKeyEnv: 'DATABASE_URL' } });
    const disabled = assertOk(await update(m.id, { disabled: true })).updateModel.model;
    assert.equal(disabled.disabled, true);
    assert.equal(disabled.upstreamKeyEnv, 'DATABASE_URL');
    // Setting it again is checked like createModel does.
    assertErrorCode(await update(m.id, { upstreamKeyEnv: 'LUMEN_SECRET' }), 'BAD_USER_INPUT', /LUMEN_UPSTREAM_KEY_<NAME>/);
    assert.equal(assertOk(await update(m.id, { upstreamKeyEnv: null })).updateModel.model.upstreamKeyEnv, null);
  });

  test('renaming keeps usage, consent and access rules; /v1 answers to the new name at once', async () => {
    const m = await model(admin, { needsConsent: true, consentNotice: 'Careful.' });
    const { client, key } = await unlimitedClient(lumen, admin);
    const blockedClient = await lumen.client(admin);
    await setClientModelAccess(admin.viewer, blockedClient.id, m.id, 'BLOCKED');
    await setClientModelAccess(admin.viewer, client.id, m.id, 'ALLOWED');
    await grantModelConsent(admin.viewer, { clientId: client.id }, m.id);
    const sdk = openai(key.secret);
    await sdk.chat.completions.create({ model: m.name, messages: say('before the rename') });

    const renamed = assertOk(await update(m.id, { name: `${m.name}-renamed` })).updateModel.model;
    assert.equal(renamed.id, gid('Model', m.id));

    const answer = await sdk.chat.completions.create({ model: renamed.name, messages: say('after the rename') });
    assert.equal(answer.choices[0].message.content, 'after the rename');
    const old = await refusal(sdk.chat.completions.create({ model: m.name, messages: say('old name') }));
    assert.deepEqual([old.status, old.code], [404, 'model_not_found']);

    const usage = await lumen.prisma.modelUsage.findUniqueOrThrow({ where: { clientId_modelId: { clientId: client.id, modelId: m.id } } });
    assert.equal(usage.requests, 2, 'both requests count for the same model');
    const page = assertOk(await lumen.gql(ModelsPage, {}, admin));
    const listed = page.models.find((row) => row.id === renamed.id)!;
    assert.equal(listed.name, renamed.name);
    assert.deepEqual(
      listed.clientsWithAccess.map((row) => [row.client.id, row.rule]).sort(),
      [
        [client.globalId, 'ALLOWED'],
        [blockedClient.globalId, 'BLOCKED'],
      ].sort(),
    );
    assert.equal(await lumen.prisma.modelConsent.count({ where: { modelId: m.id } }), 1, 'the consent stays');
  });

  test('a price change bills requests admitted afterwards, never one in flight', async () => {
    const m = await model(admin, {
      upstreamModel: 'echo?tokenDelay=5',
      inputCoinsPerMillion: '100',
      outputCoinsPerMillion: '200',
      maxOutputTokens: 50,
    });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100000', balance: '100000' });
    const sdk = openai((await clientKey(admin, client.id)).secret);

    // Admitted (its coins reserved, its first token received) before the price changes.
    const stream = await sdk.chat.completions.create({
      model: m.name,
      messages: say('one two three four five'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = stream[Symbol.asyncIterator]();
    assert.equal((await chunks.next()).done, false);
    // Its coins are held by this instance's lease (a per-request reservation when the pool is low).
    assert.equal(await lumen.prisma.coinLease.count({ where: { pool: { clientId: client.id } } }), 1, 'the request is in flight');

    assertOk(await update(m.id, { inputCoinsPerMillion: '1000000', outputCoinsPerMillion: '2000000' }));

    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) usage = next.value.usage ?? usage;
    assert.ok(usage, 'the stream reported its usage');
    const inFlight = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
    const oldCost = exact(usage.prompt_tokens).times(100).plus(exact(usage.completion_tokens).times(200)).dividedBy(1_000_000);
    assert.equal(exact(inFlight.coins).toFixed(), oldCost.toFixed(), 'the request in flight pays the price it was admitted at');

    const after = await sdk.chat.completions.create({ model: m.name, messages: say('one two three four five') });
    const next = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id, id: { not: inFlight.id } } });
    const newCost = exact(after.usage!.prompt_tokens)
      .times(1_000_000)
      .plus(exact(after.usage!.completion_tokens).times(2_000_000))
      .dividedBy(1_000_000);
    assert.equal(exact(next.coins).toFixed(), newCost.toFixed(), 'the next request pays the new price');
  });

  test('disabling refuses new requests with 403 model_disabled at once, though the key was cached; enabling allows them again', async () => {
    const m = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const sdk = openai(key.secret);
    await sdk.chat.completions.create({ model: m.name, messages: say('cached') });
    assert.ok((await sdk.models.list()).data.some((row) => row.id === m.name));

    assert.equal(assertOk(await update(m.id, { disabled: true })).updateModel.model.status, 'DISABLED');
    const refused = await refusal(sdk.chat.completions.create({ model: m.name, messages: say('disabled') }));
    assert.deepEqual([refused.status, refused.code], [403, 'model_disabled']);
    assert.ok(!(await sdk.models.list()).data.some((row) => row.id === m.name), 'GET /v1/models leaves it out');
    // Still listed, for "Show disabled".
    const listed = assertOk(await lumen.gql(ModelsPage, {}, admin)).models.find((row) => row.name === m.name);
    assert.deepEqual([listed?.disabled, listed?.status], [true, 'DISABLED']);
    assert.ok(assertOk(await lumen.gql(ManagerModels, {}, manager)).models.some((row) => row.name === m.name && row.disabled));

    assertOk(await update(m.id, { disabled: false }));
    assert.equal((await sdk.chat.completions.create({ model: m.name, messages: say('enabled') })).choices[0].message.content, 'enabled');
  });

  test('requestsLast24Hours counts each model, for the whole list in one statement', async () => {
    const busy = await model(admin);
    const quiet = await model(admin);
    const { key } = await unlimitedClient(lumen, admin);
    const sdk = openai(key.secret);
    for (let i = 0; i < 3; i++) await sdk.chat.completions.create({ model: busy.name, messages: say(`request ${i}`) });
    // A request of two days ago is not counted.
    const old = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { modelId: busy.id } });
    await lumen.prisma.usageRecord.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 2 * 24 * 3600_000) } });
    for (let i = 0; i < 5; i++) await model(admin);

    const { result, statements } = await lumen.countQueries(() => lumen.gql(ModelsPage, {}, admin));
    const models = assertOk(result).models;
    assert.ok(models.length >= 7);
    assert.equal(models.find((row) => row.name === busy.name)?.requestsLast24Hours, 2);
    assert.equal(models.find((row) => row.name === quiet.name)?.requestsLast24Hours, 0);
    const counts = statements.filter((sql) => /FROM "public"\."UsageRecord"/.test(sql) && /GROUP BY/i.test(sql) && /COUNT/i.test(sql));
    assert.equal(counts.length, 1, `one grouped count for ${models.length} models:\n${counts.join('\n')}`);
  });

  test('viewerCan.manageModels is true for admins only', async () => {
    assert.equal(assertOk(await lumen.gql(ViewerCan, {}, admin)).viewerCan.manageModels, true);
    assert.equal(assertOk(await lumen.gql(ViewerCan, {}, manager)).viewerCan.manageModels, false);
  });

  test('a manager may not change a model, and the upstream settings are not theirs to read', async () => {
    const m = await model(admin, { provider: 'openai-compatible', upstreamBaseUrl: 'https://secret.example.org/v1' });
    assertErrorCode(await lumen.gql(UpdateModel, { input: { modelId: gid('Model', m.id), disabled: true } }, manager), 'FORBIDDEN');
    assert.equal((await lumen.prisma.model.findUniqueOrThrow({ where: { id: m.id } })).disabled, false);
    const read = await lumen.gql('{ models { name upstreamBaseUrl } }', {}, manager);
    assertErrorCode(read, 'FORBIDDEN');
    assert.ok(!JSON.stringify(read).includes('secret.example.org'));
  });
});
