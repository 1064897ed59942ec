// Opening and closing Lumen's process-wide state, shared by the server, the CLI and tests.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setConfig, type Config } from './config.ts';
import { setDatabase } from './db/current.ts';
import { makeDataFolderPrivate } from './db/dataFolder.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { setServerSecret } from './domain/secrets.ts';
import { finishInvalidationBumps } from './events/invalidationCounter.ts';
import { log } from './log.ts';

/** In development, a secret generated once and kept (0600) in the data folder. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  makeDataFolderPrivate(dataDir);
  try {
    fs.writeFileSync(file, randomBytes(48).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export interface OpenLumenOptions {
  purpose: string;
  inMemory?: boolean;
  onQuery?: (sql: string) => void;
  /** Apply missing migrations (default true). */
  migrate?: boolean;
}

export async function openLumen(config: Config, options: OpenLumenOptions): Promise<Database> {
  setConfig(config);
  log.level = config.logLevel;
  setServerSecret(config.secret ?? devSecret(config.dataDir), config.previousSecrets);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    poolSize: config.dbPoolSize,
    dataDir: config.dataDir,
    purpose: options.purpose,
    inMemory: options.inMemory,
    onQuery: options.onQuery,
  });
  try {
    if (options.migrate !== false) await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  setDatabase(database);
  return database;
}

export async function closeLumen(database: Database): Promise<void> {
  await finishInvalidationBumps();
  setDatabase(null);
  await database.close();
}
