// Health for orchestrators. /healthz is liveness: the process answers HTTP, so there is
// no reason to restart it (a database outage is not cured by restarting every instance).
// /readyz is readiness: whether this instance should be sent traffic now.
import { database } from '../db/current.ts';
import { readMigrations } from '../db/migrate.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { redisStatus } from '../events/bus.ts';
import { isDraining } from '../v1/inFlight.ts';

/** How long /readyz waits for the database before calling it unreachable. */
export const READINESS_TIMEOUT_MS = 2_000;

export interface Readiness {
  /** 'ok', or 'unreachable' when it did not answer within READINESS_TIMEOUT_MS. */
  database: 'ok' | 'unreachable';
  /** 'ok' when every migration of this version is applied, 'pending' otherwise, 'unknown' without a database. */
  migrations: 'ok' | 'pending' | 'unknown';
  /** True once the instance is stopping (SIGTERM): it finishes what it admitted and takes nothing new. */
  draining: boolean;
  /** 'off' without REDIS_URL; not part of the verdict, since Lumen works without Redis. */
  redis: 'ok' | 'down' | 'off';
}

let known: string[] | null = null;

async function migrationsState(): Promise<'ok' | 'pending'> {
  known ??= readMigrations().map((m) => m.name);
  let rows: { migration_name: string }[];
  try {
    rows = await database().prisma.$queryRaw<{ migration_name: string }[]>`
      SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  } catch (error) {
    // A database that answers with an error (no migrations table at all) has its schema to
    // catch up on; one that does not answer is unreachable.
    if (isDatabaseUnavailable(error)) throw error;
    return 'pending';
  }
  const applied = new Set(rows.map((r) => r.migration_name));
  return known.every((name) => applied.has(name)) ? 'ok' : 'pending';
}

async function databaseState(): Promise<Pick<Readiness, 'database' | 'migrations'>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), READINESS_TIMEOUT_MS);
  });
  try {
    return { database: 'ok', migrations: await Promise.race([migrationsState(), timeout]) };
  } catch {
    return { database: 'unreachable', migrations: 'unknown' };
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(): Promise<{ ready: boolean; body: Readiness }> {
  const body: Readiness = { ...(await databaseState()), draining: isDraining(), redis: redisStatus() };
  return { ready: body.database === 'ok' && body.migrations === 'ok' && !body.draining, body };
}
