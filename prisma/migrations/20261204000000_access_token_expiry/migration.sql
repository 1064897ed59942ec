-- Admin-API tokens may expire; existing tokens keep working (NULL = never expires).

-- AlterTable
ALTER TABLE "AccessToken" ADD COLUMN "expiresAt" TIMESTAMPTZ(3);
