-- Less written per /v1 request (issue 11): indexes that every settlement had to update for
-- nothing. Measured on PostgreSQL as WAL per metered request (api/bench/results.md).
--
-- 1. Coin leases and reservations are found by "touchedAt" only by the sweeper, in tables that
--    hold only live leases and in-flight reservations (a few rows per instance), which it reads
--    whole anyway. Every settlement batch sets its lease's "touchedAt": with that column
--    indexed, each of these updates wrote a new entry in all three of the lease's indexes;
--    without it, PostgreSQL updates the row in place (a HOT update) and touches no index.
DROP INDEX "CoinLease_touchedAt_idx";
DROP INDEX "CoinReservation_touchedAt_idx";

-- 2. A usage record or rollup belongs to a client or to a user, never both, so one of the two
--    owner indexes held a NULL entry for every row: half of each index, written with every
--    request and never read (owners are looked up by id, which is never NULL). They now index
--    only the rows that have that owner. schema.prisma cannot say so; its @@index lines stay,
--    and test/schemaDrift.test.ts lists these predicates.
DROP INDEX "UsageRecord_clientId_createdAt_idx";
CREATE INDEX "UsageRecord_clientId_createdAt_idx" ON "UsageRecord"("clientId", "createdAt") WHERE "clientId" IS NOT NULL;
DROP INDEX "UsageRecord_userId_createdAt_idx";
CREATE INDEX "UsageRecord_userId_createdAt_idx" ON "UsageRecord"("userId", "createdAt") WHERE "userId" IS NOT NULL;
DROP INDEX "UsageRollup_clientId_bucketStart_idx";
CREATE INDEX "UsageRollup_clientId_bucketStart_idx" ON "UsageRollup"("clientId", "bucketStart") WHERE "clientId" IS NOT NULL;
DROP INDEX "UsageRollup_userId_bucketStart_idx";
CREATE INDEX "UsageRollup_userId_bucketStart_idx" ON "UsageRollup"("userId", "bucketStart") WHERE "userId" IS NOT NULL;
