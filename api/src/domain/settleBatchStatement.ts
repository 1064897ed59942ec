// The statement that writes one batch of settlements (domain/settlementQueue.ts): all its
// usage records, and each hot row once with the batch's sums. One statement, so one
// transaction: records, lease or pool, key and per-model counters and the 15-minute rollups
// (domain/usageSeries.ts) always agree.
//
// It is assembled from parts for the batch's shape (per-request reservations or not,
// client or personal keys), so the common batch (leases, client keys) runs none of the
// parts it does not need; each shape is a prepared statement of its own.
// A batch of one settlement without a reservation row takes a shorter statement of its own
// (settleOneStatement.ts), which shares the upserts below.
import type { Statement } from '../db/hotSql.ts';
import type { Row } from './settlementQueue.ts';

const INPUT = `
  "input" AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(
      "id" uuid, "apiKeyId" uuid, "clientId" uuid, "userId" uuid, "modelId" uuid,
      "inputTokens" int, "outputTokens" int, "coins" numeric, "reservedCoins" numeric, "status" text,
      "latencyMs" int, "poolId" uuid, "reservationId" uuid, "refund" numeric, "leaseId" uuid)
  ), "record" AS (
    -- A retry of a batch whose commit was not seen records nothing twice.
    INSERT INTO "UsageRecord" ("id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "reservedCoins", "status", "latencyMs")
    SELECT "id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "reservedCoins", "status", "latencyMs" FROM "input"
    ON CONFLICT ("id") DO NOTHING
    RETURNING "id"
  ), "fresh" AS (
    SELECT "input".* FROM "input" JOIN "record" USING ("id")
  )`;

// Settlement and reclaim each delete the reservation row: exactly one of them takes effect.
const LEDGER = `
  , "ledger" AS (
    DELETE FROM "CoinReservation" r USING "fresh" f WHERE r."id" = f."reservationId" RETURNING r."id"
  )`;

const LEASE = `
  , "lease" AS (
    UPDATE "CoinLease" l SET "amount" = l."amount" - s."coins", "touchedAt" = now()
      FROM (SELECT "leaseId", sum("coins") AS "coins" FROM "fresh" WHERE "leaseId" IS NOT NULL GROUP BY "leaseId") s
     WHERE l."id" = s."leaseId"
    RETURNING l."id"
  )`;

// A reservation settled here gives back what it did not spend; one whose row (or lease) is
// gone was given back already (reclaimed, or deleted with an admin's change), so its cost
// is taken from the pool now instead, never below zero.
const pool = (withLedger: boolean) => `
  , "poolSums" AS (
    SELECT f."poolId",
           ${withLedger ? `sum(CASE WHEN f."reservationId" IN (SELECT "id" FROM "ledger") THEN f."refund" ELSE 0 END)` : '0'} AS "refund",
           sum(CASE WHEN ${withLedger ? `(f."reservationId" IS NOT NULL AND f."reservationId" NOT IN (SELECT "id" FROM "ledger")) OR ` : ''}
                         (f."leaseId" IS NOT NULL AND f."leaseId" NOT IN (SELECT "id" FROM "lease"))
                    THEN f."coins" ELSE 0 END) AS "direct"
      FROM "fresh" f WHERE f."poolId" IS NOT NULL GROUP BY f."poolId"
  ), "pool" AS (
    UPDATE "CoinPool" p SET "balance" = GREATEST(p."balance" + s."refund" - s."direct", 0)
      FROM "poolSums" s WHERE p."id" = s."poolId" AND p."state" = 'LIMITED' AND (s."refund" <> 0 OR s."direct" <> 0)
    RETURNING p."id"
  )`;

const KEY = `
  , "key" AS (
    UPDATE "ApiKey" k SET "requests" = k."requests" + s."n", "inputTokens" = k."inputTokens" + s."i",
           "outputTokens" = k."outputTokens" + s."o", "coinsSpent" = k."coinsSpent" + s."c", "lastUsedAt" = now()
      FROM (SELECT "apiKeyId", count(*) AS "n", sum("inputTokens") AS "i", sum("outputTokens") AS "o", sum("coins") AS "c"
              FROM "fresh" GROUP BY "apiKeyId") s
     WHERE k."id" = s."apiKeyId"
    RETURNING k."id"
  )`;

/** How a per-model counter row takes what is inserted for it when it exists already: added up. */
export const addToModelUsage = (owner: 'clientId' | 'userId') => `ON CONFLICT ("${owner}", "modelId") DO UPDATE SET
      "requests" = "ModelUsage"."requests" + EXCLUDED."requests",
      "inputTokens" = "ModelUsage"."inputTokens" + EXCLUDED."inputTokens",
      "outputTokens" = "ModelUsage"."outputTokens" + EXCLUDED."outputTokens",
      "coinsSpent" = "ModelUsage"."coinsSpent" + EXCLUDED."coinsSpent",
      "lastUsedAt" = EXCLUDED."lastUsedAt"`;

const perModel = (owner: 'clientId' | 'userId') => `
  , "${owner}Model" AS (
    INSERT INTO "ModelUsage" ("id", "${owner}", "modelId", "requests", "inputTokens", "outputTokens", "coinsSpent", "lastUsedAt")
    SELECT gen_random_uuid(), "${owner}", "modelId", count(*), sum("inputTokens"), sum("outputTokens"), sum("coins"), now()
      FROM "fresh" WHERE "${owner}" IS NOT NULL GROUP BY "${owner}", "modelId"
    ${addToModelUsage(owner)}
    RETURNING "id"
  )`;

// The 15-minute bucket of now(): the transaction's time, which is also the records' createdAt,
// so a record and the rollup that counts it always fall in the same bucket.
export const ROLLUP_BUCKET = `date_bin('15 minutes', now(), TIMESTAMPTZ '2000-01-01 00:00:00+00')`;

/** How a 15-minute rollup row takes what is inserted for it when it exists already: added up. */
export const ADD_TO_ROLLUP = `ON CONFLICT ("apiKeyId", "bucketStart", "modelId") DO UPDATE SET
      "requests" = "UsageRollup"."requests" + EXCLUDED."requests",
      "inputTokens" = "UsageRollup"."inputTokens" + EXCLUDED."inputTokens",
      "outputTokens" = "UsageRollup"."outputTokens" + EXCLUDED."outputTokens",
      "coins" = "UsageRollup"."coins" + EXCLUDED."coins"`;

const ROLLUP = `
  , "rollup" AS (
    INSERT INTO "UsageRollup" ("apiKeyId", "bucketStart", "modelId", "clientId", "userId", "requests", "inputTokens", "outputTokens", "coins")
    SELECT "apiKeyId", ${ROLLUP_BUCKET}, "modelId", "clientId", "userId", count(*), sum("inputTokens"), sum("outputTokens"), sum("coins")
      FROM "fresh" GROUP BY "apiKeyId", "modelId", "clientId", "userId"
    ${ADD_TO_ROLLUP}
    RETURNING "apiKeyId"
  )`;

const statements = new Map<string, Statement>();

/** The statement for a batch of this shape (built once per shape, prepared once per connection). */
export function settleBatchStatement(rows: Row[]): Statement {
  const reservations = rows.some((r) => r.reservationId !== null);
  const limited = rows.some((r) => r.poolId !== null);
  const clients = rows.some((r) => r.clientId !== null);
  const users = rows.some((r) => r.userId !== null);
  const shape = `${reservations ? 'r' : ''}${limited ? 'l' : ''}${clients ? 'c' : ''}${users ? 'u' : ''}`;
  let statement = statements.get(shape);
  if (!statement) {
    const parts = [INPUT];
    if (reservations) parts.push(LEDGER);
    if (limited) parts.push(LEASE, pool(reservations));
    parts.push(KEY);
    if (clients) parts.push(perModel('clientId'));
    if (users) parts.push(perModel('userId'));
    parts.push(ROLLUP);
    // The leases this batch's new records were admitted against whose rows are gone (given back meanwhile).
    const missing = limited
      ? `(SELECT coalesce(jsonb_agg(DISTINCT f."leaseId"), '[]'::jsonb) FROM "fresh" f
           WHERE f."leaseId" IS NOT NULL AND f."leaseId" NOT IN (SELECT "id" FROM "lease"))`
      : `'[]'::jsonb`;
    statement = { name: `lumen_settle_batch_${shape}`, text: `WITH ${parts.join('')}\nSELECT ${missing} AS "missingLeases"` };
    statements.set(shape, statement);
  }
  return statement;
}
