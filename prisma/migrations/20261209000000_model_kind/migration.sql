-- Model kinds: a CHAT model answers /v1/chat/completions and /v1/completions, an
-- EMBEDDING model answers /v1/embeddings. Existing models are chat models.

-- CreateEnum
CREATE TYPE "ModelKind" AS ENUM ('CHAT', 'EMBEDDING');

-- AlterTable
ALTER TABLE "Model" ADD COLUMN "kind" "ModelKind" NOT NULL DEFAULT 'CHAT';
