-- Less work per /v1 request (issue 11): a usage record's four foreign keys. Every settlement
-- inserts records, and PostgreSQL checked each foreign key by locking the referenced row
-- (FOR KEY SHARE): the key's, the client's or user's and the model's rows, in every
-- settlement, with a write-ahead log record for each lock. A lone settlement took about a
-- fifth less time without them (api/bench/README.md).
--
-- A record's ids are copied from the key, owner and model the request was admitted with, and
-- Lumen deletes none of those rows (keys are revoked, clients deactivated, models disabled),
-- so nothing can point at a missing row. What the foreign keys also did, deleting a deleted
-- row's records with it, no path in Lumen needs; records age out with
-- LUMEN_USAGE_RECORD_RETENTION_DAYS.
ALTER TABLE "UsageRecord" DROP CONSTRAINT "UsageRecord_apiKeyId_fkey";
ALTER TABLE "UsageRecord" DROP CONSTRAINT "UsageRecord_clientId_fkey";
ALTER TABLE "UsageRecord" DROP CONSTRAINT "UsageRecord_userId_fkey";
ALTER TABLE "UsageRecord" DROP CONSTRAINT "UsageRecord_modelId_fkey";
