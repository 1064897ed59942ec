// The process's open database. Set once at start (server, CLI or test setup);
// domain modules read it through db() instead of passing a client around.
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Database } from './database.ts';

let current: Database | null = null;

export function setDatabase(database: Database | null): void {
  current = database;
}

export function database(): Database {
  if (!current) throw new Error('The database is not open yet: call setDatabase() at start');
  return current;
}

export function db(): PrismaClient {
  return database().prisma;
}

/** A Prisma client or an interactive transaction's client. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0] | PrismaClient;
