-- A generation counter for cache invalidations, polled by instances while Redis is down.

-- CreateTable
CREATE TABLE "Invalidation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "Invalidation_pkey" PRIMARY KEY ("id")
);

INSERT INTO "Invalidation" ("id", "n") VALUES (1, 0);
