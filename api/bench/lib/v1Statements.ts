// SQL statements per /v1 request, counted in-process (Prisma's query events and the hot
// path's own statements, db/hotSql.ts) with the code the server runs (v1/fetchRoute.ts):
// sequential requests after a warm-up, so each request's settlement is a batch of its own
// (under load several share one, and the count per request only falls).
import { database } from '../../src/db/current.ts';
import { handleV1 } from '../../src/v1/fetchRoute.ts';

const REQUESTS = 50;

async function send(secret: string, body: string): Promise<void> {
  const url = new URL('http://lumen.bench/v1/chat/completions');
  const response = await handleV1(
    new Request(url, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body }),
    url,
  );
  if (response.status !== 200) throw new Error(`/v1 answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  await response.arrayBuffer();
}

/** Statements per request for the key `secret` (`prismaQueries` grows with every Prisma statement). */
export async function v1StatementsPerRequest(prismaQueries: string[], secret: string, body: string): Promise<number> {
  const hot = database().hot;
  const query = hot.query.bind(hot);
  let hotStatements = 0;
  hot.query = (statement, params) => {
    hotStatements += 1;
    return query(statement, params);
  };
  try {
    // Warm: the key cached, the pool's state known, a coin lease taken, the limits' windows open.
    for (let i = 0; i < 5; i++) await send(secret, body);
    const prismaBefore = prismaQueries.length;
    hotStatements = 0;
    for (let i = 0; i < REQUESTS; i++) await send(secret, body);
    return (prismaQueries.length - prismaBefore + hotStatements) / REQUESTS;
  } finally {
    hot.query = query;
  }
}
