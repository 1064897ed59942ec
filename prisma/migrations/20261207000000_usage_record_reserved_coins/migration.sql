-- The worst-case cost each request reserved at admission, so that the admin UI can warn
-- when a pool holds less than the largest recent one. Earlier records keep NULL (unknown).

-- AlterTable
ALTER TABLE "UsageRecord" ADD COLUMN "reservedCoins" DECIMAL(40,12);
