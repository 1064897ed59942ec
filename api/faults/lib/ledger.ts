// The end-of-run reading of the books, in SQL, after every instance drained and
// stopped: usage records per key, the pool (its balance as shown: the row plus what
// instances still hold leased, e.g. the lease of an instance that was killed), and the
// reservations still open. Coins
// are read as text and summed as exact decimals.
import pg from 'pg';
import { exact, type Decimal } from '../../src/domain/coins.ts';

export interface Books {
  perKey: Map<string, { ok: number; all: number; okCoins: Decimal }>;
  recordsByStatus: Record<string, number>;
  capacity: Decimal;
  balance: Decimal;
  spent: Decimal;
  /** Σ of the 15-minute rollups (UsageRollup) that usage series read: written with the records, so equal to `spent`. */
  rolledUp: { requests: number; coins: Decimal };
  records: number;
  reservations: { count: number; amount: Decimal };
  /** Coin leases still held (by an instance that was killed, until a sweeper reclaims them). */
  leases: { count: number; amount: Decimal };
}

export async function readBooks(databaseUrl: string, clientId: string): Promise<Books> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const keys = await sql.query<{ name: string; ok: number; all: number; okcoins: string }>(
      `SELECT k."name", count(u."id") FILTER (WHERE u."status" = 'ok')::int AS ok, count(u."id")::int AS all,
              coalesce(sum(u."coins") FILTER (WHERE u."status" = 'ok'), 0)::text AS okcoins
         FROM "ApiKey" k LEFT JOIN "UsageRecord" u ON u."apiKeyId" = k."id"
        WHERE k."clientId" = $1 GROUP BY k."name"`,
      [clientId],
    );
    const statuses = await sql.query<{ status: string; n: number }>(
      `SELECT "status", count(*)::int AS n FROM "UsageRecord" WHERE "clientId" = $1 GROUP BY "status"`,
      [clientId],
    );
    const pool = (
      await sql.query<{ id: string; capacity: string; balance: string }>(
        `SELECT "id", "capacity"::text, "balance"::text FROM "CoinPool" WHERE "clientId" = $1`,
        [clientId],
      )
    ).rows[0];
    const spent = (
      await sql.query<{ coins: string }>(`SELECT coalesce(sum("coins"), 0)::text AS coins FROM "UsageRecord" WHERE "clientId" = $1`, [
        clientId,
      ])
    ).rows[0];
    const rolledUp = (
      await sql.query<{ requests: number; coins: string; records: number }>(
        `SELECT coalesce(sum("requests"), 0)::int AS requests, coalesce(sum("coins"), 0)::text AS coins,
                (SELECT count(*)::int FROM "UsageRecord" WHERE "clientId" = $1) AS records
           FROM "UsageRollup" WHERE "clientId" = $1`,
        [clientId],
      )
    ).rows[0];
    const open = (
      await sql.query<{ n: number; amount: string }>(
        `SELECT count(*)::int AS n, coalesce(sum("amount"), 0)::text AS amount FROM "CoinReservation" WHERE "poolId" = $1`,
        [pool.id],
      )
    ).rows[0];
    const leased = (
      await sql.query<{ n: number; amount: string }>(
        `SELECT count(*)::int AS n, coalesce(sum("amount"), 0)::text AS amount FROM "CoinLease" WHERE "poolId" = $1`,
        [pool.id],
      )
    ).rows[0];
    return {
      perKey: new Map(keys.rows.map((r) => [r.name, { ok: r.ok, all: r.all, okCoins: exact(r.okcoins) }])),
      recordsByStatus: Object.fromEntries(statuses.rows.map((r) => [r.status, r.n])),
      capacity: exact(pool.capacity),
      balance: exact(pool.balance).plus(exact(leased.amount)),
      spent: exact(spent.coins),
      rolledUp: { requests: rolledUp.requests, coins: exact(rolledUp.coins) },
      records: rolledUp.records,
      reservations: { count: open.n, amount: exact(open.amount) },
      leases: { count: leased.n, amount: exact(leased.amount) },
    };
  } finally {
    await sql.end();
  }
}
