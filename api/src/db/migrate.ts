// Applies the SQL migrations in prisma/migrations, the way `prisma migrate deploy`
// would: each in its own transaction, recorded in Prisma's _prisma_migrations table
// with the file's SHA-256 as checksum, under Prisma's own advisory lock so that two
// instances starting at once (or Lumen and the Prisma CLI) never race.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlRunner } from './database.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');
const PRISMA_MIGRATE_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {}

/** Applies what is missing; returns the names applied now. */
export async function migrate(database: Database, migrations = readMigrations()): Promise<string[]> {
  return database.withConnection(async (sql) => {
    await sql.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    try {
      return await applyMissing(sql, migrations);
    } finally {
      await sql.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
    }
  });
}

async function applyMissing(sql: SqlRunner, migrations: Migration[]): Promise<string[]> {
  await createMigrationsTable(sql);
  const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
    'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  return applyEach(sql, migrations, rows);
}

async function createMigrationsTable(sql: SqlRunner): Promise<void> {
  try {
    await sql.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`);
  } catch (error) {
    // A server that went away is not a schema problem (the caller says so); a refusal is.
    if (isDatabaseUnavailable(error)) throw error;
    throw new MigrationError(
      `Lumen could not create its migrations table: ${(error as Error).message}; the DATABASE_URL user must be allowed to create tables in its database`,
    );
  }
}

async function applyEach(
  sql: SqlRunner,
  migrations: Migration[],
  rows: { migration_name: string; checksum: string; finished_at: Date | null }[],
): Promise<string[]> {
  const applied = new Map(rows.map((row) => [row.migration_name, row]));
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...applied.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new MigrationError(
      `The database has migrations this version of Lumen does not know: ${unknown.join(', ')}. Run the newer version of Lumen, or point DATABASE_URL at this version's database.`,
    );
  }
  const done: string[] = [];
  for (const migration of migrations) {
    const row = applied.get(migration.name);
    if (row) {
      if (!row.finished_at) {
        throw new MigrationError(`Migration ${migration.name} was started but never finished; restore from a backup before going on.`);
      }
      if (row.checksum !== migration.checksum) {
        throw new MigrationError(
          `Migration ${migration.name} was changed after it was applied (checksum differs). Migrations must never be edited; add a new one.`,
        );
      }
      continue;
    }
    await sql.exec('BEGIN');
    try {
      await sql.exec(migration.sql);
      await sql.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await sql.exec('COMMIT');
    } catch (error) {
      await sql.exec('ROLLBACK');
      throw new MigrationError(
        `Migration ${migration.name} failed and was rolled back: ${(error as Error).message}; check that the DATABASE_URL user may create and alter tables in its database`,
      );
    }
    done.push(migration.name);
  }
  return done;
}
