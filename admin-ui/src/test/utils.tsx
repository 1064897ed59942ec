import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { buildSchema, execute, parse, type ExecutionResult } from 'graphql';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Provider } from 'urql';
import { createLumenClient } from '../urql';
import schemaText from '../../../api/schema.graphql?raw';

export interface GraphQLCall {
  operationName: string;
  variables: Record<string, unknown>;
  headers: Headers;
}

type Reply = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
export type Handler = (variables: Record<string, unknown>, call: GraphQLCall) => Reply | Promise<Reply>;

/** A GraphQL error the way the API sends it. */
export function gqlError(message: string, code = 'BAD_USER_INPUT'): Reply {
  return { data: null, errors: [{ message, extensions: { code } }] } as Reply;
}

const schema = buildSchema(schemaText);

/**
 * The reply as the API would send it for this document: the handler's data, run through the
 * real schema with GraphQL's own executor. So fields get their __typename where the document
 * (or the normalized cache) asks for it, fields the document did not ask for are left out, and
 * a reply that could not come from the API (a missing non-null field, a wrong enum value)
 * fails the test with the place it is wrong.
 */
function shaped(query: string, variables: Record<string, unknown>, reply: Reply): Reply {
  if (reply.errors || reply.data == null) return reply;
  const result = execute({ schema, document: parse(query), rootValue: reply.data, variableValues: variables }) as ExecutionResult;
  if ('then' in result) throw new Error('Test replies are plain data');
  if (result.errors?.length) {
    const problems = result.errors.map((e) => `${e.message} (at ${e.path?.join('.') ?? '?'})`).join('; ');
    throw new Error(`This test reply could not come from the API: ${problems}`);
  }
  return { data: result.data };
}

/**
 * A real urql client (same exchanges and headers as the app) whose fetch answers from
 * `handlers`, keyed by operation name. Every request is recorded in `calls`.
 */
export function mockApi(handlers: Record<string, Handler>, options: { onUnauthenticated?: () => void } = {}) {
  const calls: GraphQLCall[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { operationName: string; query: string; variables?: Record<string, unknown> };
    const call: GraphQLCall = {
      operationName: body.operationName,
      variables: body.variables ?? {},
      headers: new Headers(init?.headers),
    };
    calls.push(call);
    const handler = handlers[body.operationName];
    const reply: Reply = handler
      ? shaped(body.query, call.variables, await handler(call.variables, call))
      : { errors: [{ message: `No test handler for ${body.operationName}` }] };
    return new Response(JSON.stringify(reply), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  // Subscriptions: tests push events with `emit`, shaped like replies.
  type Sink = { next(value: unknown): void; query: string; variables: Record<string, unknown> };
  const sinks = new Map<string, Set<Sink>>();
  const client = createLumenClient({
    url: 'http://lumen.test/graphql',
    fetch: fetch as typeof globalThis.fetch,
    onUnauthenticated: options.onUnauthenticated,
    forwardSubscription: (request) => ({
      subscribe(sink) {
        const name = request.operationName ?? '';
        const variables = (request.variables ?? {}) as Record<string, unknown>;
        calls.push({ operationName: name, variables, headers: new Headers() });
        const set = sinks.get(name) ?? new Set();
        const entry: Sink = { next: (value) => sink.next(value as never), query: request.query ?? '', variables };
        set.add(entry);
        sinks.set(name, set);
        return { unsubscribe: () => set.delete(entry) };
      },
    }),
  });
  const callsOf = (name: string) => calls.filter((c) => c.operationName === name);
  const emit = (operationName: string, data: unknown) =>
    sinks.get(operationName)?.forEach((sink) => sink.next(shaped(sink.query, sink.variables, { data })));
  const subscribers = (operationName: string) => sinks.get(operationName)?.size ?? 0;
  return { client, calls, callsOf, emit, subscribers };
}

/** Render inside the urql provider and a router (at `path`, matched by `route`). */
export function renderWithApi(
  ui: ReactElement,
  api: ReturnType<typeof mockApi>,
  { path = '/', route = '*' }: { path?: string; route?: string } = {},
) {
  const user = userEvent.setup();
  const result = render(
    <Provider value={api.client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={ui} />
          <Route path="/signin" element={<h1>Sign-in page</h1>} />
        </Routes>
      </MemoryRouter>
    </Provider>,
  );
  return { user, ...result };
}
