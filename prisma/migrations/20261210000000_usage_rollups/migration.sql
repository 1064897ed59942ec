-- Usage per 15 minutes, per API key and model (issue 13). The key says the owner; clientId or
-- userId is copied from it so that series by owner read one index. The batched settlement
-- (domain/settleBatchStatement.ts) adds to a row in the same statement that inserts the usage
-- records it sums, so series and totals always agree. 15 minutes, because days in zones such
-- as +05:30 and +05:45 start on a quarter hour: every day, hour and ISO week is a whole number
-- of these buckets. Reading a series sums buckets and never scans "UsageRecord".

-- CreateTable
CREATE TABLE "UsageRollup" (
    "apiKeyId" UUID NOT NULL,
    "bucketStart" TIMESTAMPTZ(3) NOT NULL,
    "modelId" UUID NOT NULL,
    "clientId" UUID,
    "userId" UUID,
    "requests" INTEGER NOT NULL,
    "inputTokens" BIGINT NOT NULL,
    "outputTokens" BIGINT NOT NULL,
    "coins" DECIMAL(40,12) NOT NULL,

    CONSTRAINT "UsageRollup_pkey" PRIMARY KEY ("apiKeyId","bucketStart","modelId")
);

-- CreateIndex
CREATE INDEX "UsageRollup_clientId_bucketStart_idx" ON "UsageRollup"("clientId", "bucketStart");

-- CreateIndex
CREATE INDEX "UsageRollup_userId_bucketStart_idx" ON "UsageRollup"("userId", "bucketStart");

-- CreateIndex
CREATE INDEX "UsageRollup_modelId_bucketStart_idx" ON "UsageRollup"("modelId", "bucketStart");

-- CreateIndex
CREATE INDEX "UsageRollup_bucketStart_idx" ON "UsageRollup"("bucketStart");

-- AddForeignKey
ALTER TABLE "UsageRollup" ADD CONSTRAINT "UsageRollup_apiKeyId_fkey" FOREIGN KEY ("apiKeyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageRollup" ADD CONSTRAINT "UsageRollup_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageRollup" ADD CONSTRAINT "UsageRollup_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UsageRollup" ADD CONSTRAINT "UsageRollup_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill from the records written before this table existed.
INSERT INTO "UsageRollup" ("apiKeyId", "bucketStart", "modelId", "clientId", "userId", "requests", "inputTokens", "outputTokens", "coins")
SELECT "apiKeyId", date_bin('15 minutes', "createdAt", TIMESTAMPTZ '2000-01-01 00:00:00+00'), "modelId",
       "clientId", "userId", count(*), sum("inputTokens"), sum("outputTokens"), sum("coins")
  FROM "UsageRecord"
 GROUP BY 1, 2, 3, 4, 5;
