// A fresh Lumen for one test file: its own database (in-memory PGlite, or a new
// PostgreSQL database when LUMEN_TEST_DATABASE_URL is set, dropped afterwards),
// driven through the real schema with app.fetch (Yoga behind its last resort).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { print } from 'graphql';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { createAccessToken, startSession } from '../../src/domain/auth.ts';
import { createClient } from '../../src/domain/clients.ts';
import { createUser } from '../../src/domain/users.ts';
import type { Viewer } from '../../src/domain/viewer.ts';
import { closeLumen, openLumen } from '../../src/lumen.ts';
import { SESSION_COOKIE } from '../../src/http/cookies.ts';
import { app } from '../../src/yoga.ts';
import type { TypedDocumentString } from '../gql/graphql.ts';
import { createScratchDatabase } from './scratchDatabase.ts';

/**
 * A GraphQL answer. Its data is typed when the query came from `graphql()` (test/gql, written by
 * `npm run generate`); a plain string (a deliberately invalid or hand-built document) gives unknown data.
 */
export interface GqlResult<T = unknown> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string } }[];
}

export interface TestUser {
  id: string;
  globalId: string;
  email: string;
  name: string;
  token: string;
  viewer: Viewer;
}

/** The result type of a typed document, for code that receives it by other ways than gql() (SSE, WebSocket). */
export type ResultOf<D> = D extends TypedDocumentString<infer TResult, infer _TVariables> ? TResult : never;

/** Who sends a request: a test user (its admin-API token), a token or a browser session cookie, or nobody. */
export type Caller = TestUser | { token?: string; cookie?: string } | null;

export class TestLumen {
  queries: string[] = [];
  private seq = 0;

  constructor(
    readonly database: Database,
    private readonly dropDatabase: (() => Promise<void>) | null,
  ) {}

  get prisma() {
    return this.database.prisma;
  }

  fetch(pathname: string, init?: RequestInit): Promise<Response> {
    return Promise.resolve(app.fetch(new Request(new URL(pathname, 'http://lumen.test'), init)));
  }

  gql<TResult, TVariables>(
    query: TypedDocumentString<TResult, TVariables>,
    variables?: TVariables,
    as?: Caller,
  ): Promise<GqlResult<TResult>>;
  /** The admin UI's own documents (admin-ui/src/gql), sent as the browser sends them. */
  gql<TResult, TVariables>(query: TypedDocumentNode<TResult, TVariables>, variables?: TVariables, as?: Caller): Promise<GqlResult<TResult>>;
  gql(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<GqlResult>;
  async gql(
    query: string | TypedDocumentString<unknown, unknown> | TypedDocumentNode<unknown, unknown>,
    variables: unknown = {},
    as?: Caller,
  ): Promise<GqlResult> {
    const text = typeof query === 'object' && 'kind' in query ? print(query) : String(query);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (as && 'token' in as && as.token) headers.authorization = `Bearer ${as.token}`;
    if (as && 'cookie' in as && as.cookie) {
      headers.cookie = as.cookie;
      headers['x-lumen-csrf'] = '1'; // as the admin UI does
    }
    const response = await this.fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: text, variables }) });
    return (await response.json()) as GqlResult;
  }

  /** A user with an admin-API token; names are unique per call so tests can run side by side. */
  async user(options: { admin?: boolean; name?: string } = {}): Promise<TestUser> {
    const n = ++this.seq;
    const suffix = randomBytes(3).toString('hex');
    const name = options.name ?? `${options.admin ? 'Admin' : 'User'} ${n} ${suffix}`;
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.org`;
    const user = await createUser(null, { email, name, isAdmin: options.admin ?? false });
    const { token } = await createAccessToken(null, user.id, { name: 'test' });
    return {
      id: user.id,
      globalId: encodeGlobalID('User', user.id),
      email,
      name,
      token,
      viewer: { id: user.id, email, name, isAdmin: user.isAdmin },
    };
  }

  /** A browser session for the user, as after following a sign-in link: send it with gql(..., { cookie }). */
  async session(user: TestUser): Promise<{ cookie: string }> {
    const { sessionToken } = await this.prisma.$transaction((tx) => startSession(tx, user.id, 'test'));
    return { cookie: `${SESSION_COOKIE}=${sessionToken}` };
  }

  async client(admin: TestUser, name = `Client ${++this.seq}`): Promise<{ id: string; globalId: string; name: string }> {
    const client = await createClient(admin.viewer, { name });
    return { id: client.id, globalId: encodeGlobalID('Client', client.id), name };
  }

  /** Every row of every table, for proving that a refused or invalid call changed nothing. */
  async snapshot(): Promise<string> {
    const p = this.prisma;
    const byId = { orderBy: { id: 'asc' as const } };
    const tables = await Promise.all([
      p.user.findMany(byId),
      p.client.findMany(byId),
      p.clientManager.findMany({ orderBy: [{ clientId: 'asc' }, { userId: 'asc' }] }),
      p.apiKey.findMany(byId),
      p.model.findMany(byId),
      p.clientModelAccess.findMany({ orderBy: [{ clientId: 'asc' }, { modelId: 'asc' }] }),
      p.modelConsent.findMany(byId),
      p.modelUsage.findMany(byId),
      p.coinPool.findMany(byId),
      p.usageRecord.findMany(byId),
      p.auditEntry.findMany(byId),
      // lastUsedAt moves with every authenticated call, refused or not.
      p.accessToken.findMany({ ...byId, omit: { lastUsedAt: true } }),
    ]);
    return JSON.stringify(tables, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
  }

  /** Counts the SQL statements Prisma sends while `work` runs. */
  async countQueries<T>(work: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
    const start = this.queries.length;
    const result = await work();
    const statements = this.queries.slice(start);
    return { result, count: statements.length, statements };
  }

  async close(): Promise<void> {
    await closeLumen(this.database);
    await this.dropDatabase?.();
  }
}

export const gid = (type: 'Client' | 'User' | 'ApiKey' | 'Model' | 'Session' | 'AccessToken', id: string) => encodeGlobalID(type, id);

/** `env` adds configuration, such as the OIDC settings. */
export async function startLumen(env: Record<string, string> = {}): Promise<TestLumen> {
  const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
  let databaseUrl: string | undefined;
  let drop: (() => Promise<void>) | null = null;
  if (adminUrl) {
    const scratch = await createScratchDatabase(adminUrl, 'lumen_test');
    databaseUrl = scratch.url;
    drop = scratch.drop;
  }
  const config = loadConfig({
    NODE_ENV: 'test',
    LUMEN_SECRET: randomBytes(32).toString('base64url'),
    LUMEN_DATA_DIR: path.join(os.tmpdir(), `lumen-test-${process.pid}`),
    DATABASE_URL: databaseUrl,
    LUMEN_PUBLIC_URL: 'http://lumen.test',
    // Quiet (silent) unless the person running the tests asks for logs.
    LUMEN_LOG_LEVEL: process.env.LUMEN_LOG_LEVEL,
    ...env,
  });
  const queries: string[] = [];
  const database = await openLumen(config, { purpose: 'test', inMemory: true, onQuery: (sql) => queries.push(sql) });
  const lumen = new TestLumen(database, drop);
  lumen.queries = queries;
  return lumen;
}
