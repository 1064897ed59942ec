-- API keys may expire (NULL = never; existing keys keep working). The two notice columns
-- record that the KEY_EXPIRING event 7 days and 1 day before expiresAt was sent: each
-- instance's job claims a notice by setting its column only while it is still NULL, so
-- however many instances run the job, one of them publishes it (domain/keyExpiry.ts).

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "expiresAt" TIMESTAMPTZ(3),
ADD COLUMN "weekNoticeAt" TIMESTAMPTZ(3),
ADD COLUMN "dayNoticeAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");
