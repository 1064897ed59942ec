// Lumen servers as real processes (src/server.ts on a free port), for tests of a
// deployment with several instances on one PostgreSQL and one Redis.
import type { ChildProcess } from 'node:child_process';
import type { TypedDocumentString } from '../gql/graphql.ts';
import type { GqlResult } from './lumen.ts';
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
