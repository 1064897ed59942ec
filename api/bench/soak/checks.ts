// The end-of-soak checks: every sum exact, from four independent places — what the
// load generator was told (each answer's usage, priced here), the usage records,
// the counters Lumen keeps (keys, per-model, the pool), and GraphQL — and every
// subscription heard every metered request.
import pg from 'pg';
import { exact, type Decimal } from '../../src/domain/coins.ts';
import { TIGHT_POOL, type SoakSetup } from './setup.ts';
import type { Subscription } from './subscriptions.ts';
import type { Traffic } from './traffic.ts';

export interface Check {
  ok: boolean;
  what: string;
  detail: string;
}

export interface TightStart {
  balance: string;
  lastRefillAt: Date;
}

const CLIENT_FIGURES = `query SoakFigures($id: ID!) {
  client(id: $id) {
    usage { requests coinsSpent }
    coinPool { state balance }
    apiKeys(first: 100, includeRevoked: true) { totalCount edges { node { requests coinsSpent } } }
  }
}`;

async function graphqlFigures(baseUrl: string, token: string, id: string) {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CLIENT_FIGURES, variables: { id } }),
  });
  const json = (await response.json()) as {
    data: {
      client: {
        usage: { requests: number; coinsSpent: string };
        coinPool: { balance: string | null };
        apiKeys: { edges: { node: { requests: number; coinsSpent: string } }[] };
      };
    };
  };
  return json.data.client;
}

const sum = (values: string[]): Decimal => values.reduce((total, v) => total.plus(exact(v)), exact(0));

export async function checkSums(
  databaseUrl: string,
  baseUrl: string,
  setup: SoakSetup,
  traffic: Traffic,
  subscriptions: Subscription[],
  tightStart: TightStart,
): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (ok: boolean, what: string, detail: string) => checks.push({ ok, what, detail });
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    for (const client of setup.clients) {
      const tally = traffic.tallies[client.label];
      const one = async (query: string) => (await sql.query(query, [client.id])).rows[0];
      const records = await one(
        `SELECT count(*)::int AS n, coalesce(sum("coins"), 0)::text AS coins FROM "UsageRecord" WHERE "clientId" = $1`,
      );
      const keys = await one(
        `SELECT coalesce(sum("requests"), 0)::int AS n, coalesce(sum("coinsSpent"), 0)::text AS coins FROM "ApiKey" WHERE "clientId" = $1`,
      );
      const perModel = await one(
        `SELECT coalesce(sum("requests"), 0)::int AS n, coalesce(sum("coinsSpent"), 0)::text AS coins FROM "ModelUsage" WHERE "clientId" = $1`,
      );
      const gql = await graphqlFigures(baseUrl, setup.adminToken, client.globalId);
      const gqlKeys = sum(gql.apiKeys.edges.map((e) => e.node.coinsSpent));
      const gqlKeyRequests = gql.apiKeys.edges.reduce((n, e) => n + e.node.requests, 0);
      const spent = exact(records.coins);
      const label = `client ${client.label}`;
      check(
        [records.n, keys.n, perModel.n, gql.usage.requests, gqlKeyRequests].every((n) => n === tally.metered),
        `${label}: requests`,
        `answered 200: ${tally.metered}; UsageRecord rows ${records.n}; Σ key requests ${keys.n} (GraphQL ${gqlKeyRequests}); Σ ModelUsage ${perModel.n}; GraphQL usage.requests ${gql.usage.requests}`,
      );
      check(
        [exact(keys.coins), exact(perModel.coins), exact(gql.usage.coinsSpent), gqlKeys, tally.coins].every((c) => c.equals(spent)),
        `${label}: coins`,
        `Σ UsageRecord.coins ${spent.toFixed()}; priced from the answers ${tally.coins.toFixed()}; Σ key coinsSpent ${exact(keys.coins).toFixed()} (GraphQL ${gqlKeys.toFixed()}); Σ ModelUsage ${exact(perModel.coins).toFixed()}; GraphQL usage.coinsSpent ${gql.usage.coinsSpent}`,
      );
      if (client.label === 'tight') {
        const pool = await one(`SELECT "balance"::text AS balance, "lastRefillAt" FROM "CoinPool" WHERE "clientId" = $1`);
        const intervalMs = TIGHT_POOL.refillIntervalSeconds * 1000;
        const elapsed = (pool.lastRefillAt as Date).getTime() - tightStart.lastRefillAt.getTime();
        const intervals = elapsed / intervalMs;
        const refills = exact(TIGHT_POOL.refillAmount).times(intervals);
        const expected = exact(tightStart.balance).plus(refills).minus(spent);
        check(
          Number.isInteger(intervals) && exact(pool.balance).equals(expected),
          `${label}: balance = start + refills − spent`,
          `${tightStart.balance} + ${intervals} refills × ${TIGHT_POOL.refillAmount} (${refills.toFixed()}) − ${spent.toFixed()} = ${expected.toFixed()}; balance ${pool.balance}; ${tally.refused} requests refused with 429`,
        );
        // GraphQL was read a moment later: a refill may have landed in between, but only whole ones.
        const extra = exact(gql.coinPool.balance ?? 'NaN')
          .minus(exact(pool.balance))
          .dividedBy(TIGHT_POOL.refillAmount);
        check(
          extra.isInteger() && !extra.isNegative(),
          `${label}: GraphQL balance`,
          `GraphQL ${gql.coinPool.balance} (${extra.toFixed()} refills after the SQL read)`,
        );
      }
      for (const sub of subscriptions.filter((s) => s.clientLabel === client.label)) {
        const lastOk = sub.last !== null && sub.last.usage.requests === tally.metered && exact(sub.last.usage.coinsSpent).equals(spent);
        check(
          !sub.error && !sub.ended && sub.metered >= records.n && (records.n === 0 || lastOk),
          `${label}: ${sub.transport} subscription`,
          `${sub.metered} METERED events (${sub.events} in all) for ${records.n} metered requests; last event says ${sub.last?.usage.requests} requests, ${sub.last?.usage.coinsSpent} coins${sub.error ? `; error ${sub.error}` : ''}${sub.ended ? '; ended early' : ''}`,
        );
      }
    }
  } finally {
    await sql.end();
  }
  return checks;
}

export async function readTightStart(databaseUrl: string, clientId: string): Promise<TightStart> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query(`SELECT "balance"::text AS balance, "lastRefillAt" FROM "CoinPool" WHERE "clientId" = $1`, [clientId]);
    return { balance: rows[0].balance, lastRefillAt: rows[0].lastRefillAt };
  } finally {
    await sql.end();
  }
}
