-- CreateTable
CREATE TABLE "CoinReservation" (
    "id" UUID NOT NULL,
    "poolId" UUID NOT NULL,
    "amount" DECIMAL(40,12) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "touchedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CoinReservation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CoinReservation_touchedAt_idx" ON "CoinReservation"("touchedAt");

-- CreateIndex
CREATE INDEX "CoinReservation_poolId_idx" ON "CoinReservation"("poolId");

-- AddForeignKey
ALTER TABLE "CoinReservation" ADD CONSTRAINT "CoinReservation_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "CoinPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;
