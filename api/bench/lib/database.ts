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
