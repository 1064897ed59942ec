// Lumen servers as real processes (src/server.ts on a free port), for tests of a
// deployment with several instances on one PostgreSQL and one Redis.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { createAccessToken } from '../../src/domain/auth.ts';
import { createClient } from '../../src/domain/clients.ts';
import { setClientCoinPool } from '../../src/domain/coinPools.ts';
import { createUser } from '../../src/domain/users.ts';
import { closeLumen, openLumen } from '../../src/lumen.ts';
import type { TypedDocumentString } from '../gql/graphql.ts';
import type { GqlResult } from './lumen.ts';
import { createScratchDatabase, type ScratchDatabase } from './scratchDatabase.ts';
import { spawnServer, stopServer as stop } from './spawnServer.ts';
import { SseReader } from './sse.ts';

export interface Instance {
  process: ChildProcess;
  url: string;
  /** What it printed so far. */
  output(): string;
}

export async function startServer(env: Record<string, string>): Promise<Instance> {
  const { child, url, output } = await spawnServer({ env: { ...env, PORT: '0' } });
  return { process: child, url, output };
}

export async function stopServer(instance: Instance | undefined): Promise<void> {
  await stop(instance?.process);
}

/** Two instances sharing one scratch PostgreSQL database and one Redis, and what the test seeded. */
export interface TwoInstances {
  a: Instance;
  b: Instance;
  /** The test process's own connection to the same database. */
  database: Database;
  /** An admin, their admin-API token, and a client "Shared" on an UNLIMITED pool. */
  viewer: { id: string; email: string; name: string; isAdmin: boolean };
  adminToken: string;
  clientId: string;
  /** Stops both servers, closes the test's connection and drops the database; safe after a failed start. */
  close(): Promise<void>;
}

/**
 * Seeds a fresh database (`lumen_test_<name>`) from this process, with the servers' own secret
 * so that key hashes match, then starts two servers on it. `beforeServers` runs after the
 * seeding and before the servers start (more models, this process's own bus connection).
 */
export async function startTwoInstances(options: {
  adminUrl: string;
  redisUrl: string;
  name: string;
  /** More configuration for both servers (and this process), such as LUMEN_ALLOW_HTTP_WEBHOOKS. */
  env?: Record<string, string>;
  beforeServers?: (seeded: Pick<TwoInstances, 'viewer' | 'clientId'>) => Promise<void>;
}): Promise<TwoInstances> {
  let scratch: ScratchDatabase | undefined;
  let database: Database | undefined;
  const servers: Instance[] = [];
  const close = async () => {
    await Promise.all(servers.map((server) => stopServer(server)));
    if (database) await closeLumen(database);
    await scratch?.drop();
  };
  try {
    scratch = await createScratchDatabase(options.adminUrl, `lumen_test_${options.name}`);
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: scratch.url,
      REDIS_URL: options.redisUrl,
      LUMEN_SECRET: randomBytes(32).toString('base64url'),
      LUMEN_DATA_DIR: path.join(os.tmpdir(), `lumen-${options.name.replaceAll('_', '-')}-${process.pid}`),
      LUMEN_ADMIN_EMAIL: 'first-admin@example.org',
      ...options.env,
    };
    database = await openLumen(loadConfig(env), { purpose: 'test' });
    const user = await createUser(null, { email: 'admin@example.org', name: 'Admin', isAdmin: true });
    const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
    const adminToken = (await createAccessToken(null, user.id, { name: 'test' })).token;
    const clientId = (await createClient(viewer, { name: 'Shared' })).id;
    await setClientCoinPool(viewer, clientId, { state: 'UNLIMITED' });
    await options.beforeServers?.({ viewer, clientId });
    const [a, b] = await Promise.all([startServer(env), startServer(env)]);
    servers.push(a, b);
    return { a, b, database, viewer, adminToken, clientId, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A GraphQL request to one instance with an admin-API token; the whole answer, errors included. */
export function gqlOn<TResult, TVariables>(
  instance: Instance,
  token: string,
  query: TypedDocumentString<TResult, TVariables>,
  variables?: TVariables,
): Promise<GqlResult<TResult>>;
export function gqlOn(instance: Instance, token: string, query: string, variables?: Record<string, unknown>): Promise<GqlResult>;
export async function gqlOn(
  instance: Instance,
  token: string,
  query: string | TypedDocumentString<unknown, unknown>,
  variables: unknown = {},
) {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: String(query), variables }),
  });
  return (await response.json()) as GqlResult;
}

/** A subscription over SSE on one instance; read its events with next(). */
export async function subscribeOn<TResult, TVariables>(
  instance: Instance,
  token: string,
  query: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<SseReader<TResult>> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: String(query), variables }),
  });
  return new SseReader<TResult>(response);
}
