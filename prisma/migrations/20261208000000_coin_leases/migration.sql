-- Coin leases: a slice of a LIMITED pool's balance held by one Lumen instance, which admits
-- requests against it in memory (domain/leases.ts). "amount" is what is left of the slice as
-- last committed: settlements lower it, returning the lease gives it back to the pool. A
-- lease whose instance stopped touching it (a crash) is given back by any instance's sweeper.

-- CreateTable
CREATE TABLE "CoinLease" (
    "id" UUID NOT NULL,
    "poolId" UUID NOT NULL,
    "instanceId" TEXT NOT NULL,
    "amount" DECIMAL(40,12) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "touchedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CoinLease_pkey" PRIMARY KEY ("id"),
    -- Settlements never take more from a lease than was reserved against it.
    CONSTRAINT "CoinLease_amount_not_negative" CHECK ("amount" >= 0)
);

-- CreateIndex
CREATE INDEX "CoinLease_touchedAt_idx" ON "CoinLease"("touchedAt");

-- CreateIndex
CREATE INDEX "CoinLease_poolId_idx" ON "CoinLease"("poolId");

-- AddForeignKey
ALTER TABLE "CoinLease" ADD CONSTRAINT "CoinLease_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "CoinPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;
