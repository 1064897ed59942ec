// The hand-written SQL migrations and prisma/schema.prisma must describe the same
// database: tables, columns, types, nullability and unique indexes. (Prisma's own
// migrate engine would check this, but cannot be installed here.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startLumen, type TestLumen } from './support/lumen.ts';

interface DmmfField {
  name: string;
  kind: 'scalar' | 'object' | 'enum';
  type: string;
  dbName?: string | null;
  isRequired: boolean;
  isList: boolean;
  isUnique: boolean;
  isId: boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueFields: string[][];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}
interface Dmmf {
  models: DmmfModel[];
  indexes: DmmfIndex[];
  enums: { name: string; values: { name: string }[] }[];
}

const dmmf: Dmmf = JSON.parse(
  fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/generated/dmmf.json'), 'utf8'),
);

/** The PostgreSQL type Prisma creates for a field, as information_schema spells it. */
function expectedType(field: DmmfField): string {
  const [native, args = []] = field.nativeType ?? [];
  if (field.kind === 'enum') return `enum ${field.type}`;
  if (native === 'Uuid') return 'uuid';
  if (native === 'Timestamptz') return `timestamp with time zone(${args[0] ?? 6})`;
  if (native === 'Decimal') return `numeric(${args.join(',')})`;
  const defaults: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    DateTime: 'timestamp without time zone(3)',
    Decimal: 'numeric(65,30)',
    Json: 'jsonb',
    Float: 'double precision',
  };
  return defaults[field.type] ?? `unknown ${field.type}`;
}

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

async function databaseShape() {
  const columns = await lumen.prisma.$queryRaw<
    {
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
      numeric_precision: number | null;
      numeric_scale: number | null;
      datetime_precision: number | null;
    }[]
  >`SELECT table_name, column_name, data_type, udt_name, is_nullable, numeric_precision, numeric_scale, datetime_precision
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`;
  const indexes = await lumen.prisma.$queryRaw<{ table_name: string; columns: string; is_unique: boolean; predicate: string | null }[]>`
    SELECT t.relname AS table_name, string_agg(a.attname, ',' ORDER BY k.ord) AS columns, i.indisunique AS is_unique,
           pg_get_expr(i.indpred, i.indrelid) AS predicate
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE t.relname <> '_prisma_migrations'
    GROUP BY t.relname, i.indexrelid, i.indisunique, i.indpred, i.indrelid`;
  const uniques = indexes.filter((i) => i.is_unique);
  const enums = await lumen.prisma.$queryRaw<{ name: string; value: string }[]>`
    SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid ORDER BY t.typname, e.enumsortorder`;
  const type = (c: (typeof columns)[number]) => {
    if (c.data_type === 'USER-DEFINED') return `enum ${c.udt_name}`;
    if (c.data_type === 'numeric') return `numeric(${c.numeric_precision},${c.numeric_scale})`;
    if (c.data_type.startsWith('timestamp')) return `${c.data_type}(${c.datetime_precision})`;
    return c.data_type;
  };
  return {
    columns: columns.map((c) => `${c.table_name}.${c.column_name}: ${type(c)}${c.is_nullable === 'YES' ? ' NULL' : ''}`).sort(),
    uniques: uniques.map((u) => `${u.table_name}(${u.columns})`).sort(),
    // schema.prisma cannot say that an index is partial; the migration's WHERE is shown so that
    // the one list below (PARTIAL) has to name it.
    indexes: indexes
      .filter((i) => !i.is_unique)
      .map((i) => `${i.table_name}(${i.columns})${i.predicate ? ` WHERE ${i.predicate}` : ''}`)
      .sort(),
    enums: enums.map((e) => `${e.name}.${e.value}`).sort(),
  };
}

/** The @@index entries of schema.prisma that the migrations make partial (Prisma has no syntax for it), with their predicate as PostgreSQL prints it. */
const PARTIAL: Record<string, string> = {
  'UsageRecord(clientId,createdAt)': '("clientId" IS NOT NULL)',
  'UsageRecord(userId,createdAt)': '("userId" IS NOT NULL)',
  'UsageRollup(clientId,bucketStart)': '("clientId" IS NOT NULL)',
  'UsageRollup(userId,bucketStart)': '("userId" IS NOT NULL)',
};

function schemaShape() {
  const columns: string[] = [];
  const uniques: string[] = [];
  const indexes: string[] = [];
  for (const model of dmmf.models) {
    const table = model.dbName ?? model.name;
    const column = (name: string) => model.fields.find((f) => f.name === name)?.dbName ?? name;
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      columns.push(`${table}.${field.dbName ?? field.name}: ${expectedType(field)}${field.isRequired ? '' : ' NULL'}`);
      if (field.isId || field.isUnique) uniques.push(`${table}(${column(field.name)})`);
    }
    if (model.primaryKey) uniques.push(`${table}(${model.primaryKey.fields.map(column).join(',')})`);
    for (const fields of model.uniqueFields) uniques.push(`${table}(${fields.map(column).join(',')})`);
    for (const index of dmmf.indexes.filter((i) => i.model === model.name && i.type === 'normal')) {
      const name = `${table}(${index.fields.map((f) => column(f.name)).join(',')})`;
      indexes.push(PARTIAL[name] ? `${name} WHERE ${PARTIAL[name]}` : name);
    }
  }
  const enums = dmmf.enums.flatMap((e) => e.values.map((v) => `${e.name}.${v.name}`));
  return { columns: columns.sort(), uniques: uniques.sort(), indexes: indexes.sort(), enums: enums.sort() };
}

test('the migrated database matches schema.prisma', async () => {
  const fromDatabase = await databaseShape();
  const fromSchema = schemaShape();
  assert.deepEqual(
    fromDatabase.columns,
    fromSchema.columns,
    'columns, types or nullability differ: write a migration for the schema change',
  );
  assert.deepEqual(fromDatabase.uniques, fromSchema.uniques, 'unique indexes differ');
  assert.deepEqual(fromDatabase.indexes, fromSchema.indexes, 'indexes differ: @@index in schema.prisma and CREATE INDEX in the migrations');
  assert.deepEqual(fromDatabase.enums, fromSchema.enums, 'enums differ');
});

test('the comparison itself notices a drift', async () => {
  await lumen.prisma.$executeRawUnsafe('ALTER TABLE "Client" ADD COLUMN "sneaky" TEXT');
  await lumen.prisma.$executeRawUnsafe('ALTER TABLE "User" ALTER COLUMN "name" DROP NOT NULL');
  await lumen.prisma.$executeRawUnsafe('CREATE INDEX "sneaky_idx" ON "Client"("name")');
  await lumen.prisma.$executeRawUnsafe('DROP INDEX "UsageRecord_userId_createdAt_idx"');
  await lumen.prisma.$executeRawUnsafe('CREATE INDEX "UsageRecord_userId_createdAt_idx" ON "UsageRecord"("userId", "createdAt")');
  try {
    const fromDatabase = await databaseShape();
    const fromSchema = schemaShape();
    assert.notDeepEqual(fromDatabase.columns, fromSchema.columns);
    assert.ok(fromDatabase.columns.includes('Client.sneaky: text NULL'));
    assert.ok(fromDatabase.columns.includes('User.name: text NULL'));
    // An index the schema does not have, and a partial index that is no longer partial.
    assert.ok(fromDatabase.indexes.includes('Client(name)'));
    assert.ok(fromDatabase.indexes.includes('UsageRecord(userId,createdAt)'));
    assert.notDeepEqual(fromDatabase.indexes, fromSchema.indexes);
  } finally {
    await lumen.prisma.$executeRawUnsafe('DROP INDEX "sneaky_idx"');
    await lumen.prisma.$executeRawUnsafe('DROP INDEX "UsageRecord_userId_createdAt_idx"');
    await lumen.prisma.$executeRawUnsafe(
      'CREATE INDEX "UsageRecord_userId_createdAt_idx" ON "UsageRecord"("userId", "createdAt") WHERE "userId" IS NOT NULL',
    );
    await lumen.prisma.$executeRawUnsafe('ALTER TABLE "Client" DROP COLUMN "sneaky"');
    await lumen.prisma.$executeRawUnsafe('ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL');
  }
});
