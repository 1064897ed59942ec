// Client names and descriptions: two active clients never share a name, compared
// case-insensitively (createClient, updateClient and activating a client all check it,
// and a partial unique index on lower(name) WHERE active backs them); a name over the
// limit is refused with the limit, never cut; updateClient renames and describes, for
// admins only; the migration that brought the index renamed existing duplicates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readMigrations } from '../src/db/migrate.ts';
import { createClient, setClientActive } from '../src/domain/clients.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
let manager: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  manager = await lumen.user();
});
after(() => lumen.close());

const CreateClient = graphql(`
  mutation ClientNames_Create($name: String!) {
    createClient(input: { name: $name }) {
      client {
        id
        name
      }
    }
  }
`);

const UpdateClient = graphql(`
  mutation ClientNames_Update($input: UpdateClientInput!) {
    updateClient(input: $input) {
      client {
        id
        name
        description
        viewerCan {
          update
        }
      }
    }
  }
`);

const ClientQuery = graphql(`
  query ClientNames_Client($id: ID!) {
    client(id: $id) {
      name
      description
      viewerCan {
        update
      }
    }
  }
`);

const SetActive = graphql(`
  mutation ClientNames_SetActive($id: ID!, $active: Boolean!) {
    setClientActive(input: { clientId: $id, active: $active }) {
      client {
        active
      }
    }
  }
`);

describe('one active client per name, compared case-insensitively', () => {
  test('createClient refuses a name an active client has, in any letters, and names that client', async () => {
    await lumen.client(admin, 'Genomics Pipeline');
    const before = await lumen.snapshot();
    for (const name of ['Genomics Pipeline', 'genomics pipeline', '  GENOMICS PIPELINE  ']) {
      assertErrorCode(await lumen.gql(CreateClient, { name }, admin), 'BAD_USER_INPUT', /already named "Genomics Pipeline"/);
    }
    assert.equal(await lumen.snapshot(), before);
  });

  test('a deactivated client frees its name; activating it again is refused while another active client has it', async () => {
    const old = await lumen.client(admin, 'Weather Bot');
    await setClientActive(admin.viewer, old.id, false);
    const successor = assertOk(await lumen.gql(CreateClient, { name: 'WEATHER BOT' }, admin)).createClient.client;
    assertErrorCode(
      await lumen.gql(SetActive, { id: old.globalId, active: true }, admin),
      'BAD_USER_INPUT',
      /Weather Bot cannot be activated while another active client is named "WEATHER BOT": rename one of them first/,
    );
    // Renamed, it may come back.
    assertOk(await lumen.gql(UpdateClient, { input: { clientId: old.globalId, name: 'Weather Bot (old)' } }, admin));
    assert.equal(assertOk(await lumen.gql(SetActive, { id: old.globalId, active: true }, admin)).setClientActive.client.active, true);
    assert.ok(successor.id);
  });

  test('updateClient refuses the name of another active client, and allows a change of letters of its own', async () => {
    await lumen.client(admin, 'Translation');
    const other = await lumen.client(admin, 'Summaries');
    assertErrorCode(
      await lumen.gql(UpdateClient, { input: { clientId: other.globalId, name: 'TRANSLATION' } }, admin),
      'BAD_USER_INPUT',
      /already named "Translation"/,
    );
    const renamed = assertOk(await lumen.gql(UpdateClient, { input: { clientId: other.globalId, name: 'SUMMARIES' } }, admin));
    assert.equal(renamed.updateClient.client.name, 'SUMMARIES');
  });

  test('a deactivated client may be renamed to a name in use (it is checked when it is activated)', async () => {
    await lumen.client(admin, 'Archive');
    const retired = await lumen.client(admin, 'Archive old');
    await setClientActive(admin.viewer, retired.id, false);
    assert.equal(
      assertOk(await lumen.gql(UpdateClient, { input: { clientId: retired.globalId, name: 'archive' } }, admin)).updateClient.client.name,
      'archive',
    );
  });

  test('the database refuses a duplicate that skips the check', async () => {
    await lumen.client(admin, 'Direct');
    await assert.rejects(lumen.prisma.client.create({ data: { name: 'DIRECT' } }), (error: { code?: string }) => error.code === 'P2002');
    // Inactive duplicates are fine.
    await lumen.prisma.client.create({ data: { name: 'DIRECT', active: false } });
  });

  test('clients created at the same moment with one name: one is created, the others are told why', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => createClient(admin.viewer, { name: 'Concurrent' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const result of results.filter((r) => r.status === 'rejected')) {
      assert.match(String((result as PromiseRejectedResult).reason.message), /already named "Concurrent"/);
      assert.equal((result as PromiseRejectedResult).reason.code, 'BAD_USER_INPUT');
    }
    assert.equal(await lumen.prisma.client.count({ where: { name: 'Concurrent' } }), 1);
  });
});

describe('names over the limit', () => {
  const long = 'L'.repeat(300);

  test('createClient refuses a 300-character name with the limit, and stores nothing', async () => {
    const before = await lumen.snapshot();
    assertErrorCode(await lumen.gql(CreateClient, { name: long }, admin), 'BAD_USER_INPUT', /name can be at most 100 characters long/);
    assert.equal(await lumen.snapshot(), before);
  });

  test('updateClient refuses it too, and the name stays', async () => {
    const client = await lumen.client(admin, 'Short');
    assertErrorCode(
      await lumen.gql(UpdateClient, { input: { clientId: client.globalId, name: long } }, admin),
      'BAD_USER_INPUT',
      /name can be at most 100 characters long/,
    );
    assert.equal((await lumen.prisma.client.findUniqueOrThrow({ where: { id: client.id } })).name, 'Short');
  });

  test('exactly 100 characters (counted as characters, not UTF-16 units) is accepted whole', async () => {
    const name = `${'é'.repeat(98)}🧬x`;
    assert.equal([...name].length, 100);
    assert.equal(assertOk(await lumen.gql(CreateClient, { name }, admin)).createClient.client.name, name);
  });
});

describe('updateClient', () => {
  test('renames and describes, with an audit entry; omitted fields stay; an empty description clears it', async () => {
    const client = await lumen.client(admin, 'Chat Service');
    const described = assertOk(
      await lumen.gql(
        UpdateClient,
        { input: { clientId: client.globalId, description: '  Answers questions\nabout the cluster.  ' } },
        admin,
      ),
    ).updateClient.client;
    assert.deepEqual([described.name, described.description], ['Chat Service', 'Answers questions\nabout the cluster.']);
    const renamed = assertOk(await lumen.gql(UpdateClient, { input: { clientId: client.globalId, name: 'Cluster Chat' } }, admin))
      .updateClient.client;
    assert.deepEqual([renamed.name, renamed.description], ['Cluster Chat', 'Answers questions\nabout the cluster.']);
    const cleared = assertOk(await lumen.gql(UpdateClient, { input: { clientId: client.globalId, description: '' } }, admin)).updateClient
      .client;
    assert.equal(cleared.description, null);

    const audit = await lumen.prisma.auditEntry.findMany({
      where: { targetId: client.id, action: 'client.update' },
      orderBy: { id: 'asc' },
    });
    assert.deepEqual(
      audit.map((entry) => [entry.actorId, entry.details]),
      [
        [admin.id, { description: { from: null, to: 'Answers questions\nabout the cluster.' } }],
        [admin.id, { name: { from: 'Chat Service', to: 'Cluster Chat' } }],
        [admin.id, { description: { from: 'Answers questions\nabout the cluster.', to: null } }],
      ],
    );
  });

  test('a change to nothing records nothing', async () => {
    const client = await lumen.client(admin, 'Unchanged');
    const before = await lumen.snapshot();
    assertOk(await lumen.gql(UpdateClient, { input: { clientId: client.globalId, name: ' Unchanged ', description: null } }, admin));
    assert.equal(await lumen.snapshot(), before);
  });

  test('managers read the description but may not change it; viewerCan.update says so', async () => {
    const client = await lumen.client(admin, 'Managed');
    await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
    assertOk(await lumen.gql(UpdateClient, { input: { clientId: client.globalId, description: 'Ours.' } }, admin));
    const seen = assertOk(await lumen.gql(ClientQuery, { id: client.globalId }, manager)).client;
    assert.deepEqual([seen?.description, seen?.viewerCan.update], ['Ours.', false]);
    assert.equal(assertOk(await lumen.gql(ClientQuery, { id: client.globalId }, admin)).client?.viewerCan.update, true);
    const before = await lumen.snapshot();
    assertErrorCode(await lumen.gql(UpdateClient, { input: { clientId: client.globalId, name: 'Mine now' } }, manager), 'FORBIDDEN');
    assert.equal(await lumen.snapshot(), before);
  });
});

describe('the migration', () => {
  test('renames existing duplicates among active clients (the oldest keeps its name) before creating the index', async () => {
    const migration = readMigrations().find((m) => m.name.endsWith('_client_description_unique_names'));
    assert.ok(migration, 'the migration exists');
    // The table as it was before the migration: no description, no index, duplicates allowed.
    await lumen.prisma.$executeRawUnsafe('DROP INDEX "Client_active_name_key"');
    await lumen.prisma.$executeRawUnsafe('ALTER TABLE "Client" DROP COLUMN "description"');
    const at = (minute: number) => new Date(Date.UTC(2020, 0, 1, 0, minute));
    const seed = [
      { name: 'Lab Bot', createdAt: at(1), active: true },
      { name: 'LAB BOT', createdAt: at(2), active: true },
      { name: 'lab bot', createdAt: at(3), active: true },
      { name: 'Lab Bot (2)', createdAt: at(4), active: true },
      { name: 'lab bot', createdAt: at(5), active: false },
      { name: 'X'.repeat(100), createdAt: at(6), active: true },
      { name: 'x'.repeat(100), createdAt: at(7), active: true },
    ];
    const ids: string[] = [];
    for (const row of seed) {
      const [{ id }] = await lumen.prisma.$queryRaw<{ id: string }[]>`
        INSERT INTO "Client" ("id", "name", "active", "createdAt") VALUES (gen_random_uuid(), ${row.name}, ${row.active}, ${row.createdAt})
        RETURNING "id"`;
      ids.push(id);
    }
    await lumen.database.withConnection((sql) => sql.exec(migration.sql));

    const names = await Promise.all(ids.map(async (id) => (await lumen.prisma.client.findUniqueOrThrow({ where: { id } })).name));
    assert.deepEqual(names, [
      'Lab Bot',
      'LAB BOT (3)', // "LAB BOT (2)" is taken by "Lab Bot (2)", compared case-insensitively
      'lab bot (4)',
      'Lab Bot (2)',
      'lab bot', // deactivated: left alone
      'X'.repeat(100),
      `${'x'.repeat(96)} (2)`, // shortened to stay within 100 characters
    ]);
    // The index is back: the rule holds again.
    await assert.rejects(lumen.prisma.client.create({ data: { name: 'lab BOT' } }), (error: { code?: string }) => error.code === 'P2002');
  });
});
