// Every change made through the API leaves an audit entry: who, what, when, on what.
// The log is append-only, enforced by the database itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TypedDocumentString } from './gql/graphql.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model as echoModel } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

test('each mutation records one entry with actor, action and target', async () => {
  const manager = await lumen.user();
  const model = await echoModel(admin, { name: 'audited', needsConsent: true, consentNotice: 'ok' });
  const steps: [string, string, unknown, TestUser][] = [];
  const created = assertOk(
    await lumen.gql(
      graphql(`
        mutation Audit_CreateClient {
          createClient(input: { name: "Audited" }) {
            client {
              id
            }
          }
        }
      `),
      {},
      admin,
    ),
  );
  const clientId = created.createClient.client.id;
  const run = async <T, V>(action: string, query: TypedDocumentString<T, V>, variables: V, as: TestUser = admin) => {
    steps.push([action, String(query), variables, as]);
    return assertOk(await lumen.gql(query, variables, as));
  };
  await run(
    'client.addManager',
    graphql(`
      mutation Audit_AddManager($c: ID!, $u: ID!) {
        addClientManager(input: { clientId: $c, userId: $u }) {
          client {
            id
          }
        }
      }
    `),
    {
      c: clientId,
      u: manager.globalId,
    },
  );
  const key = await run(
    'apiKey.create',
    graphql(`
      mutation Audit_CreateApiKey($c: ID!) {
        createApiKey(input: { clientId: $c, name: "prod" }) {
          apiKey {
            id
          }
        }
      }
    `),
    { c: clientId },
    manager,
  );
  await run(
    'apiKey.revoke',
    graphql(`
      mutation Audit_RevokeApiKey($id: ID!) {
        revokeApiKey(input: { id: $id }) {
          apiKey {
            id
          }
        }
      }
    `),
    { id: key.createApiKey.apiKey.id },
    manager,
  );
  await run(
    'model.grantConsent',
    graphql(`
      mutation Audit_GrantConsent($c: ID!, $m: ID!) {
        grantModelConsent(input: { clientId: $c, modelId: $m }) {
          modelAccess {
            status
          }
        }
      }
    `),
    { c: clientId, m: gid('Model', model.id) },
    manager,
  );
  await run(
    'client.setCoinPool',
    graphql(`
      mutation Audit_SetCoinPool($c: ID!) {
        setClientCoinPool(input: { clientId: $c, state: UNLIMITED }) {
          client {
            id
          }
        }
      }
    `),
    {
      c: clientId,
    },
  );
  await run(
    'client.setModelAccess',
    graphql(`
      mutation Audit_SetModelAccess($c: ID!, $m: ID!) {
        setClientModelAccess(input: { clientId: $c, modelId: $m, access: BLOCKED }) {
          client {
            id
          }
        }
      }
    `),
    { c: clientId, m: gid('Model', model.id) },
  );
  await run(
    'client.removeManager',
    graphql(`
      mutation Audit_RemoveManager($c: ID!, $u: ID!) {
        removeClientManager(input: { clientId: $c, userId: $u }) {
          client {
            id
          }
        }
      }
    `),
    { c: clientId, u: manager.globalId },
  );
  await run(
    'client.update',
    graphql(`
      mutation Audit_UpdateClient($c: ID!) {
        updateClient(input: { clientId: $c, name: "Audited again", description: "Renamed." }) {
          client {
            id
          }
        }
      }
    `),
    { c: clientId },
  );
  await run(
    'model.update',
    graphql(`
      mutation Audit_UpdateModel($m: ID!) {
        updateModel(input: { modelId: $m, outputCoinsPerMillion: "4.5", disabled: true }) {
          model {
            id
          }
        }
      }
    `),
    { m: gid('Model', model.id) },
  );
  await run(
    'client.deactivate',
    graphql(`
      mutation Audit_Deactivate($c: ID!) {
        setClientActive(input: { clientId: $c, active: false }) {
          client {
            id
          }
        }
      }
    `),
    {
      c: clientId,
    },
  );

  const entries = await lumen.prisma.auditEntry.findMany({
    where: { action: { not: 'model.create' }, actorId: { in: [admin.id, manager.id] } },
    orderBy: { createdAt: 'asc' },
  });
  assert.deepEqual(
    entries.map((e) => e.action),
    ['client.create', ...steps.map((s) => s[0])],
  );
  for (const entry of entries) {
    assert.ok(entry.createdAt instanceof Date);
    assert.ok(entry.targetId.length > 0);
  }
  const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
  assert.equal(byAction['apiKey.create'].actorId, manager.id);
  assert.equal(byAction['client.setModelAccess'].actorId, admin.id);
  assert.deepEqual((byAction['client.setModelAccess'].details as { access?: string }).access, 'BLOCKED');
  assert.equal((byAction['client.addManager'].details as { email?: string }).email, manager.email);
  assert.deepEqual(byAction['client.update'].details, {
    name: { from: 'Audited', to: 'Audited again' },
    description: { from: null, to: 'Renamed.' },
  });
  assert.deepEqual(byAction['model.update'].details, {
    name: 'audited',
    changes: { outputCoinsPerMillion: { from: '3000', to: '4.5' }, disabled: { from: false, to: true } },
  });
});

test('the log refuses updates and deletes', async () => {
  const entry = await lumen.prisma.auditEntry.findFirstOrThrow();
  await assert.rejects(lumen.prisma.auditEntry.update({ where: { id: entry.id }, data: { action: 'rewritten' } }), /append-only/);
  await assert.rejects(lumen.prisma.auditEntry.delete({ where: { id: entry.id } }), /append-only/);
  assert.equal((await lumen.prisma.auditEntry.findUniqueOrThrow({ where: { id: entry.id } })).action, entry.action);
});

test('a refused mutation records nothing', async () => {
  const stranger = await lumen.user();
  const count = await lumen.prisma.auditEntry.count();
  const result = await lumen.gql(`mutation { createClient(input: { name: "Nope" }) { client { id } } }`, {}, stranger);
  assert.equal(result.errors?.[0].extensions?.code, 'FORBIDDEN');
  assert.equal(await lumen.prisma.auditEntry.count(), count);
});
