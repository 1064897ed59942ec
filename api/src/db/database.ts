// Opens Lumen's one database: the embedded PGlite in the data folder, or a real
// PostgreSQL server when DATABASE_URL is set. Both speak the same SQL and use the
// same migrations and the same generated Prisma client.
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { dataFolderFailure, lockDataFolder } from './dataFolder.ts';
import { setDatabaseProbe } from './health.ts';
import { pgliteHotSql, postgresHotSql, type HotSql } from './hotSql.ts';
import { log } from '../log.ts';

/** The minimum the migration runner needs: run a script, run a query. */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  prisma: PrismaClient;
  /** The /v1 hot path's few statements, straight to the driver (db/hotSql.ts). */
  hot: HotSql;
  /** Runs `work` on one connection held for its whole duration (migrations, advisory locks). */
  withConnection<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  /** PostgreSQL connections at most (LUMEN_DB_POOL_SIZE); PGlite is one connection. */
  poolSize: number;
  dataDir: string;
  /** What opens it, for the message shown to a second process. */
  purpose: string;
  /** In-memory PGlite, for tests. */
  inMemory?: boolean;
  /** Called with every SQL statement Prisma sends (tests count them). */
  onQuery?: (sql: string) => void;
}

function createPrisma(adapter: PrismaPg | PrismaPGlite, onQuery?: (sql: string) => void) {
  const prisma = new PrismaClient({ adapter, log: onQuery ? [{ emit: 'event', level: 'query' }] : [] });
  if (onQuery)
    (prisma as unknown as { $on(e: 'query', cb: (ev: { query: string }) => void): void }).$on('query', (ev) => onQuery(ev.query));
  return prisma;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize, options.onQuery);
  return openPglite(options);
}

/** How long opening a PostgreSQL connection (or waiting for a free pooled one) may take. */
export const CONNECT_TIMEOUT_MS = 5_000;

async function openPostgres(url: string, poolSize: number, onQuery?: (sql: string) => void): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // An unreachable server fails a request within seconds (answered 503, see db/unavailable.ts)
    // instead of holding it: opening a connection, or waiting for a free one, is bounded.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A server that vanished without closing its connections (a failover, a cut network)
    // is noticed by the kernel instead of leaving them open forever.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle connection that the server ends (a restart, a failover) must not take Lumen
  // down: the pool replaces it, and the next query says so if the database is really gone.
  pool.on('error', (error) => log.warn({ err: error }, 'an idle database connection was closed by the server'));
  // Fail at start with the server's own message rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const prisma = createPrisma(new PrismaPg(pool), onQuery);
  // A few connections suffice: settlements go in batches, leases last seconds.
  const hot = postgresHotSql(url, Math.min(4, poolSize));
  setDatabaseProbe(() => hot.query({ name: 'lumen_probe', text: 'SELECT 1' }, []));
  return {
    kind: 'postgres',
    prisma,
    hot,
    async withConnection(work) {
      const client = await pool.connect();
      try {
        return await work({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        });
      } finally {
        client.release();
      }
    },
    async close() {
      setDatabaseProbe(null);
      await hot.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(options: OpenOptions): Promise<Database> {
  const release = options.inMemory ? () => {} : lockDataFolder(options.dataDir, options.purpose);
  // Loaded only for the embedded database: a PostgreSQL instance keeps its memory for other things.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  let client: PGlite;
  try {
    client = options.inMemory ? new PGlite() : new PGlite(path.join(options.dataDir, 'pgdata'));
    await client.waitReady;
  } catch (error) {
    release();
    throw options.inMemory ? error : dataFolderFailure(options.dataDir, error);
  }
  const prisma = createPrisma(new PrismaPGlite(client), options.onQuery);
  const runner: SqlRunner = {
    exec: async (sql) => {
      await client.exec(sql);
    },
    query: async (sql, params) => (await client.query(sql, params as unknown[])).rows as never,
  };
  return {
    kind: 'pglite',
    prisma,
    hot: pgliteHotSql(client),
    // PGlite is a single connection: every caller already shares it.
    withConnection: (work) => work(runner),
    async close() {
      await prisma.$disconnect();
      await client.close();
      release();
    },
  };
}
