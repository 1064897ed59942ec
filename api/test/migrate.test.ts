// Lumen applies its SQL migrations itself, the way `prisma migrate deploy` would.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { migrate, readMigrations } from '../src/db/migrate.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

test("migrations are recorded in Prisma's table with the file's SHA-256", async () => {
  const rows = await lumen.prisma.$queryRaw<
    { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[]
  >`
    SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`;
  const files = readMigrations();
  assert.equal(rows.length, files.length);
  for (const [i, file] of files.entries()) {
    assert.equal(rows[i].migration_name, file.name);
    assert.equal(rows[i].checksum, createHash('sha256').update(file.sql).digest('hex'));
    assert.ok(rows[i].finished_at);
    assert.equal(rows[i].applied_steps_count, 1);
  }
});

test('running again applies nothing, and concurrent runs do not race', async () => {
  assert.deepEqual(await migrate(lumen.database), []);
  const results = await Promise.all([migrate(lumen.database), migrate(lumen.database), migrate(lumen.database)]);
  assert.deepEqual(results, [[], [], []]);
});

test('an edited migration is refused, a failing one is rolled back whole', async () => {
  const files = readMigrations();
  const edited = files.map((m, i) => (i === 0 ? { ...m, checksum: 'f'.repeat(64) } : m));
  await assert.rejects(migrate(lumen.database, edited), /was changed after it was applied/);
  const broken = [
    ...files,
    { name: '99991231000000_broken', sql: 'CREATE TABLE "Half" (id int); SELECT no_such_function();', checksum: 'x' },
  ];
  await assert.rejects(migrate(lumen.database, broken), /99991231000000_broken failed and was rolled back/);
  const half = await lumen.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'Half'`;
  assert.equal(Number(half[0].n), 0, 'a failed migration left a table behind');
  const recorded = await lumen.prisma.$queryRaw<
    { n: bigint }[]
  >`SELECT count(*) AS n FROM "_prisma_migrations" WHERE migration_name = '99991231000000_broken'`;
  assert.equal(Number(recorded[0].n), 0);
});
