-- Budget alerts (issue 13): a client's webhook is told when its LIMITED pool's balance, as
-- shown (the pool row plus unspent coin leases), falls below a percentage of its capacity.
-- Each threshold is armed until it fires; a refill or an admin's change that lifts the
-- balance back above it arms it again, under a new "arming" id. A crossing is one
-- BudgetAlertEvent, unique per client, threshold and arming, so two instances that see the
-- same crossing cannot both record it; every delivery attempt is a BudgetAlertAttempt.

-- CreateEnum
CREATE TYPE "BudgetAlertStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "ClientBudgetAlert" (
    "clientId" UUID NOT NULL,
    "webhookUrl" TEXT NOT NULL,
    -- The signing secret, encrypted (AES-256-GCM) under a key derived from LUMEN_SECRET: it is
    -- needed in clear to sign, so it cannot be hashed like API keys.
    "secretSealed" TEXT NOT NULL,
    "secretHint" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClientBudgetAlert_pkey" PRIMARY KEY ("clientId")
);

-- CreateTable
CREATE TABLE "BudgetAlertThreshold" (
    "clientId" UUID NOT NULL,
    "percent" INTEGER NOT NULL,
    "arming" UUID NOT NULL,
    "firedAt" TIMESTAMPTZ(3),

    CONSTRAINT "BudgetAlertThreshold_pkey" PRIMARY KEY ("clientId", "percent"),
    CONSTRAINT "BudgetAlertThreshold_percent_range" CHECK ("percent" BETWEEN 1 AND 99)
);

-- CreateTable
CREATE TABLE "BudgetAlertEvent" (
    "id" UUID NOT NULL,
    "clientId" UUID NOT NULL,
    "thresholdPercent" INTEGER NOT NULL,
    "arming" UUID NOT NULL,
    "clientName" TEXT NOT NULL,
    "balance" DECIMAL(40,12) NOT NULL,
    "capacity" DECIMAL(40,12) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "BudgetAlertStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMPTZ(3),
    "deliveredAt" TIMESTAMPTZ(3),

    CONSTRAINT "BudgetAlertEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BudgetAlertAttempt" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "attemptedAt" TIMESTAMPTZ(3) NOT NULL,
    "httpStatus" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "BudgetAlertAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BudgetAlertEvent_clientId_thresholdPercent_arming_key" ON "BudgetAlertEvent"("clientId", "thresholdPercent", "arming");

-- CreateIndex
CREATE INDEX "BudgetAlertEvent_status_nextAttemptAt_idx" ON "BudgetAlertEvent"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "BudgetAlertEvent_clientId_createdAt_idx" ON "BudgetAlertEvent"("clientId", "createdAt");

-- CreateIndex
CREATE INDEX "BudgetAlertAttempt_eventId_attemptedAt_idx" ON "BudgetAlertAttempt"("eventId", "attemptedAt");

-- AddForeignKey
ALTER TABLE "ClientBudgetAlert" ADD CONSTRAINT "ClientBudgetAlert_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetAlertThreshold" ADD CONSTRAINT "BudgetAlertThreshold_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "ClientBudgetAlert"("clientId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetAlertEvent" ADD CONSTRAINT "BudgetAlertEvent_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetAlertAttempt" ADD CONSTRAINT "BudgetAlertAttempt_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "BudgetAlertEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
