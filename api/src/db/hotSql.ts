// The few statements every /v1 request depends on (taking a coin lease, reserving,
// the batched settlement), sent straight to the driver instead of through Prisma: on
// PostgreSQL as named prepared statements on a small pool of their own, so they are
// parsed and planned once per connection and never wait behind the admin API's queries;
// on the embedded database through PGlite's own query call. Everything else stays on Prisma.
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { log } from '../log.ts';
import { noteDatabaseDown, noteDatabaseUp } from './health.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

/** A statement with a name unique in the process (PostgreSQL prepares it under that name). */
export interface Statement {
  name: string;
  text: string;
}

export interface HotSql {
  query<T>(statement: Statement, params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * How long opening a connection and running one hot statement may take. Short, because a
 * request that has its upstream answer waits on them: past these the settlement is queued in
 * memory and the caller answered (domain/settlementQueue.ts), well within 5 seconds.
 */
export const HOT_CONNECT_TIMEOUT_MS = 1_500;
export const HOT_QUERY_TIMEOUT_MS = 2_000;

/** Reports reachability to db/health.ts: an outage stops admission at once, a success resumes it. */
async function watched<T>(run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    noteDatabaseUp();
    return result;
  } catch (error) {
    if (isDatabaseUnavailable(error)) noteDatabaseDown(error);
    throw error;
  }
}

export function postgresHotSql(url: string, size: number): HotSql {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: HOT_CONNECT_TIMEOUT_MS,
    query_timeout: HOT_QUERY_TIMEOUT_MS,
    // Plan each prepared statement once, not on every execution: the settlement's plan does
    // not depend on its JSON parameter, and planning it cost more than running it.
    options: '-c plan_cache_mode=force_generic_plan',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A connection the server ends (a restart, a failover) says the database is going away:
  // admission stops now rather than after the next request fails on it.
  pool.on('error', (error) => {
    log.warn({ err: error }, 'a hot-path database connection was closed by the server');
    noteDatabaseDown(error);
  });
  return {
    query: (statement, params) =>
      watched(async () => (await pool.query({ name: statement.name, text: statement.text, values: params })).rows),
    close: () => pool.end(),
  };
}

export function pgliteHotSql(client: PGlite): HotSql {
  return {
    query: async <T>(statement: Statement, params: unknown[]) => (await client.query<T>(statement.text, params)).rows,
    close: async () => {},
  };
}
