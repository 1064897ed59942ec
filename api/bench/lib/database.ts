// A fresh PostgreSQL database per run, dropped afterwards, like the test suites do.
import pg from 'pg';
export { createScratchDatabase, type ScratchDatabase } from '../../test/support/scratchDatabase.ts';

/** Benchmarks and the soak load loopback only: refuse a database elsewhere rather than load it. */
export function requireLoopback(url: string, what: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`${what} must be on loopback (got ${host})`);
}

export async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
}

/**
 * After the set-up's writes: tables vacuumed and analyzed and a checkpoint taken, so that
 * the measurements that follow do not share the disk with the set-up's aftermath
 * (autovacuum, a checkpoint's writes), whichever server runs first.
 */
export async function settleDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

/**
 * Where the database's write-ahead log is now, in bytes from its start: the difference over a
 * measurement is what PostgreSQL wrote for it, which does not depend on the machine's speed
 * (unlike its timings) and so shows a change to the hot path's statements run to run.
 */
export async function walPosition(url: string): Promise<bigint> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(`SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS "bytes"`);
    return BigInt(rows[0].bytes);
  } finally {
    await client.end();
  }
}
