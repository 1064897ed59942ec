// SQL statements per page load, counted in-process (where Prisma's query events can
// be heard: the server process has no hook for them) with the same code the server
// runs: yoga.fetch for GraphQL, answerPlain for the plain handler. Also checks that
// the plain handler answers exactly what GraphQL answers, so the two do the same work.
import assert from 'node:assert/strict';
import { yoga } from '../../src/yoga.ts';
import { answerPlain } from './plain.ts';
import { KEYS_OPERATION, PAGE_OPERATION, pageLoadBodies } from './documents.ts';

export interface StatementCounts {
  graphql: { page: number; keys: number };
  plain: { page: number; keys: number };
  /** The statements of one GraphQL page load, for the report. */
  graphqlStatements: string[];
  /** GraphQL's answers by operation name, for the page served from memory (memoryServer.ts). */
  answers: Record<string, unknown>;
}

async function viaGraphql(body: string, token: string) {
  const response = await yoga.fetch(
    new Request('http://lumen.bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body,
    }),
  );
  const json = (await response.json()) as { data?: unknown; errors?: unknown };
  if (json.errors || !response.ok) throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

async function viaPlain(body: string, token: string) {
  const answer = await answerPlain(JSON.parse(body), `Bearer ${token}`);
  if (answer.status !== 200) throw new Error(`the plain handler answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function countStatements(queries: string[], clientGlobalId: string, token: string): Promise<StatementCounts> {
  const bodies = pageLoadBodies(clientGlobalId);
  const counted = async (work: () => Promise<unknown>) => {
    const start = queries.length;
    const result = await work();
    return { result, statements: queries.slice(start) };
  };
  // Once to warm up (the token's lastUsedAt is refreshed at most once a minute), then counted.
  for (const body of bodies) await viaGraphql(body, token);
  const gPage = await counted(() => viaGraphql(bodies[0], token));
  const gKeys = await counted(() => viaGraphql(bodies[1], token));
  const pPage = await counted(() => viaPlain(bodies[0], token));
  const pKeys = await counted(() => viaPlain(bodies[1], token));
  // Same JSON (key order aside): otherwise the ratio would compare different work.
  assert.deepEqual(pPage.result, gPage.result, 'the plain handler and GraphQL disagree on the page query');
  assert.deepEqual(pKeys.result, gKeys.result, 'the plain handler and GraphQL disagree on the keys query');
  return {
    graphql: { page: gPage.statements.length, keys: gKeys.statements.length },
    plain: { page: pPage.statements.length, keys: pKeys.statements.length },
    graphqlStatements: [...gPage.statements, ...gKeys.statements],
    answers: { [PAGE_OPERATION]: gPage.result, [KEYS_OPERATION]: gKeys.result },
  };
}
