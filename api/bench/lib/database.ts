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
