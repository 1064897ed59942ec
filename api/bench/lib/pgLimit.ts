// PostgreSQL's own limit for the per-request metering design: what the database alone
// can do when every request debits the pool and then settles, each its own commit, on
// the same hot rows (the pool, the key, the per-model counters). Driven with `pg` straight
// from this process, no Lumen in between, against the rows Lumen was measured on.
//
// The two statements are the shapes of api/src/domain/metering.ts before coin leases and
// batched settlement (tryReserve, then recordUsage), copied rather than imported: they
// are the baseline, and must not follow Lumen's code as it changes.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { measure, type Result } from './load.ts';

/** The rows one /v1 request of the benchmark touches. */
export interface HotRows {
  poolId: string;
  clientId: string;
  apiKeyId: string;
  modelId: string;
}

// Admission: debit the LIMITED pool and write the reservation row, in one statement.
const RESERVE = `
  WITH "pool" AS (
    UPDATE "CoinPool"
       SET "balance" = CASE WHEN "state" = 'LIMITED' THEN "balance" - $2::numeric ELSE "balance" END
     WHERE "clientId" = $1::uuid
       AND ("state" = 'UNLIMITED' OR ("state" = 'LIMITED' AND "balance" >= $2::numeric))
    RETURNING "id", "state"
  ), "ledger" AS (
    INSERT INTO "CoinReservation" ("id", "poolId", "amount")
    SELECT $3::uuid, "id", $2::numeric FROM "pool" WHERE "state" = 'LIMITED'
    RETURNING "id"
  )
  SELECT "id", "state"::text AS "state" FROM "pool"`;

// Settlement: drop the reservation, refund the unspent part, write the usage record and
// add to the key's and the (client, model) counters, in one statement.
const SETTLE = `
  WITH "done" AS (
    SELECT 1 FROM "UsageRecord" WHERE "id" = $1::uuid
  ), "ledger" AS (
    DELETE FROM "CoinReservation" WHERE "id" = $2::uuid AND NOT EXISTS (SELECT 1 FROM "done")
    RETURNING "id"
  ), "pool" AS (
    UPDATE "CoinPool" SET "balance" = CASE WHEN EXISTS (SELECT 1 FROM "ledger") THEN "balance" + $3::numeric
                                           ELSE GREATEST("balance" - $4::numeric, 0) END
     WHERE "id" = $5::uuid AND $13::boolean AND NOT EXISTS (SELECT 1 FROM "done")
    RETURNING "id"
  ), "record" AS (
    INSERT INTO "UsageRecord" ("id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "reservedCoins", "status", "latencyMs")
    SELECT $1::uuid, $6::uuid, $7::uuid, NULL::uuid, $8::uuid, $9::int, $10::int, $4::numeric, $11::numeric, $14, 1::int
     WHERE NOT EXISTS (SELECT 1 FROM "done")
    RETURNING "id"
  ), "key" AS (
    UPDATE "ApiKey" SET "requests" = "requests" + 1, "inputTokens" = "inputTokens" + $9::int,
           "outputTokens" = "outputTokens" + $10::int, "coinsSpent" = "coinsSpent" + $4::numeric, "lastUsedAt" = now()
     WHERE "id" = $6::uuid AND NOT EXISTS (SELECT 1 FROM "done")
    RETURNING "id"
  ), "perModel" AS (
    INSERT INTO "ModelUsage" ("id", "clientId", "userId", "modelId", "requests", "inputTokens", "outputTokens", "coinsSpent", "lastUsedAt")
    SELECT $12::uuid, $7::uuid, NULL::uuid, $8::uuid, 1, $9::int, $10::int, $4::numeric, now()
     WHERE NOT EXISTS (SELECT 1 FROM "done")
    ON CONFLICT ("clientId", "modelId") DO UPDATE SET
      "requests" = "ModelUsage"."requests" + 1,
      "inputTokens" = "ModelUsage"."inputTokens" + EXCLUDED."inputTokens",
      "outputTokens" = "ModelUsage"."outputTokens" + EXCLUDED."outputTokens",
      "coinsSpent" = "ModelUsage"."coinsSpent" + EXCLUDED."coinsSpent",
      "lastUsedAt" = EXCLUDED."lastUsedAt"
    RETURNING "id"
  )
  SELECT (SELECT count(*) FROM "ledger") + (SELECT count(*) FROM "pool") + (SELECT count(*) FROM "record") + (SELECT count(*) FROM "key") + (SELECT count(*) FROM "perModel")`;

// About an echo request of the benchmark: its worst case reserved, then its actual cost.
const RESERVED = '0.0105';
const COST = '0.000123';
const REFUND = '0.010377';

/**
 * `connections` connections, each doing request after request: reserve (commit), then
 * settle (commit). A unit of work is one request's pair of statements. Prepared
 * statements, autocommit, the server's default durability.
 */
export async function measurePgLimit(
  url: string,
  rows: HotRows,
  connections: number,
  durationMs: number,
  warmUpMs: number,
): Promise<Result> {
  const clients = Array.from({ length: connections }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  const idle = [...clients];
  const request = async (): Promise<string | null> => {
    // As many loops as connections: one is always free.
    const client = idle.pop()!;
    try {
      const reservationId = randomUUID();
      const admitted = await client.query({ name: 'reserve', text: RESERVE, values: [rows.clientId, RESERVED, reservationId] });
      if (admitted.rows.length !== 1) return 'the pool refused the reservation';
      await client.query({
        name: 'settle',
        text: SETTLE,
        values: [
          randomUUID(),
          reservationId,
          REFUND,
          COST,
          rows.poolId,
          rows.apiKeyId,
          rows.clientId,
          rows.modelId,
          21,
          30,
          RESERVED,
          randomUUID(),
          true, // a LIMITED pool
          'ok',
        ],
      });
      return null;
    } finally {
      idle.push(client);
    }
  };
  try {
    await measure(request, connections, warmUpMs);
    return await measure(request, connections, durationMs);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** The server's durability settings, to show that the limit was measured with commits that last. */
export async function durability(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const get = async (name: string) => (await client.query<Record<string, string>>(`SHOW ${name}`)).rows[0][name];
    return `synchronous_commit=${await get('synchronous_commit')}, fsync=${await get('fsync')}`;
  } finally {
    await client.end();
  }
}
