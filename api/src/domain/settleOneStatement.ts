// The statement for a batch of one settlement: what a lone request (one connection, a quiet
// instance) waits for before it is answered. It writes exactly what settleBatchStatement.ts
// writes for that one row (the same record, lease or pool, key, per-model and rollup rows;
// test/settleOneStatement.test.ts compares the two), but from plain parameters: no JSON to
// unpack, no grouping, no hash joins, each row found by its key. On PostgreSQL that takes
// about a third less time than the batch statement with one row (api/bench/README.md).
//
// It covers the settlements that need no per-request reservation row (a lease, or an
// UNLIMITED pool); those with one take the batch statement, which knows the ledger.
import type { Statement } from '../db/hotSql.ts';
import { ADD_TO_ROLLUP, addToModelUsage, ROLLUP_BUCKET } from './settleBatchStatement.ts';
import type { Row } from './settlementQueue.ts';

// $1 id, $2 apiKeyId, $3 clientId, $4 userId, $5 modelId, $6 inputTokens, $7 outputTokens,
// $8 coins, $9 reservedCoins, $10 status, $11 latencyMs; with a lease also $12 leaseId, $13 poolId.
// Every later part runs only if the record is new: a retry of a settlement whose commit was
// not seen records nothing twice.
const RECORD = `
  "record" AS (
    INSERT INTO "UsageRecord" ("id", "apiKeyId", "clientId", "userId", "modelId", "inputTokens", "outputTokens", "coins", "reservedCoins", "status", "latencyMs")
    VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::uuid, $6::int, $7::int, $8::numeric, $9::numeric, $10::text, $11::int)
    ON CONFLICT ("id") DO NOTHING
    RETURNING "id"
  )`;

// A lease whose row is gone (given back meanwhile) leaves the cost to the pool, never below zero.
const LEASE = `
  , "lease" AS (
    UPDATE "CoinLease" SET "amount" = "amount" - $8::numeric, "touchedAt" = now()
     WHERE "id" = $12::uuid AND EXISTS (SELECT FROM "record")
    RETURNING "id"
  ), "pool" AS (
    UPDATE "CoinPool" SET "balance" = GREATEST("balance" - $8::numeric, 0)
     WHERE "id" = $13::uuid AND "state" = 'LIMITED' AND $8::numeric <> 0
       AND EXISTS (SELECT FROM "record") AND NOT EXISTS (SELECT FROM "lease")
    RETURNING "id"
  )`;

const KEY = `
  , "key" AS (
    UPDATE "ApiKey" SET "requests" = "requests" + 1, "inputTokens" = "inputTokens" + $6::int,
           "outputTokens" = "outputTokens" + $7::int, "coinsSpent" = "coinsSpent" + $8::numeric, "lastUsedAt" = now()
     WHERE "id" = $2::uuid AND EXISTS (SELECT FROM "record")
    RETURNING "id"
  )`;

const perModel = (owner: 'clientId' | 'userId') => `
  , "ownerModel" AS (
    INSERT INTO "ModelUsage" ("id", "${owner}", "modelId", "requests", "inputTokens", "outputTokens", "coinsSpent", "lastUsedAt")
    SELECT gen_random_uuid(), ${owner === 'clientId' ? '$3' : '$4'}::uuid, $5::uuid, 1, $6::int, $7::int, $8::numeric, now() FROM "record"
    ${addToModelUsage(owner)}
    RETURNING "id"
  )`;

const ROLLUP = `
  , "rollup" AS (
    INSERT INTO "UsageRollup" ("apiKeyId", "bucketStart", "modelId", "clientId", "userId", "requests", "inputTokens", "outputTokens", "coins")
    SELECT $2::uuid, ${ROLLUP_BUCKET}, $5::uuid, $3::uuid, $4::uuid, 1, $6::int, $7::int, $8::numeric FROM "record"
    ${ADD_TO_ROLLUP}
    RETURNING "apiKeyId"
  )`;

const statements = new Map<string, Statement>();

function statementFor(leased: boolean, owner: 'clientId' | 'userId') {
  const shape = `${leased ? 'l' : ''}${owner === 'clientId' ? 'c' : 'u'}`;
  let statement = statements.get(shape);
  if (!statement) {
    const parts = [RECORD, leased ? LEASE : '', KEY, perModel(owner), ROLLUP];
    // Like the batch statement's answer: the lease, if this new record found its row gone.
    const missing = leased
      ? `CASE WHEN EXISTS (SELECT FROM "record") AND NOT EXISTS (SELECT FROM "lease") THEN jsonb_build_array($12::uuid) ELSE '[]'::jsonb END`
      : `'[]'::jsonb`;
    statement = { name: `lumen_settle_one_${shape}`, text: `WITH ${parts.join('')}\nSELECT ${missing} AS "missingLeases"` };
    statements.set(shape, statement);
  }
  return statement;
}

/**
 * The statement and parameters that settle this one row, or null when it needs the batch
 * statement (a per-request reservation).
 */
export function settleOneStatement(row: Row): { statement: Statement; params: unknown[] } | null {
  if (row.reservationId !== null) return null;
  // A LIMITED pool is spent through a lease or a reservation; without either, the batch statement decides.
  const leased = row.leaseId !== null;
  if (leased !== (row.poolId !== null)) return null;
  const params: unknown[] = [
    row.id,
    row.apiKeyId,
    row.clientId,
    row.userId,
    row.modelId,
    row.inputTokens,
    row.outputTokens,
    row.coins,
    row.reservedCoins,
    row.status,
    row.latencyMs,
  ];
  if (leased) params.push(row.leaseId, row.poolId);
  return { statement: statementFor(leased, row.clientId !== null ? 'clientId' : 'userId'), params };
}
