-- Clients get a description, and two active clients may no longer share a name
-- compared case-insensitively (issue 12). Existing duplicates are renamed first: in each
-- group the oldest client keeps its name, the others get " (2)", " (3)", ... (the first
-- suffix not taken by any active client, the name shortened to stay within 100 characters).

-- AlterTable
ALTER TABLE "Client" ADD COLUMN "description" TEXT;

DO $$
DECLARE
  duplicate RECORD;
  n INTEGER;
  candidate TEXT;
BEGIN
  FOR duplicate IN
    SELECT "id", "name" FROM (
      SELECT "id", "name", row_number() OVER (PARTITION BY lower("name") ORDER BY "createdAt", "id") AS "rank"
        FROM "Client" WHERE "active"
    ) AS ranked
    WHERE "rank" > 1
    ORDER BY lower("name"), "rank"
  LOOP
    n := 2;
    LOOP
      candidate := left(duplicate."name", 100 - length(' (' || n || ')')) || ' (' || n || ')';
      EXIT WHEN NOT EXISTS (SELECT 1 FROM "Client" WHERE "active" AND lower("name") = lower(candidate));
      n := n + 1;
    END LOOP;
    UPDATE "Client" SET "name" = candidate WHERE "id" = duplicate."id";
  END LOOP;
END $$;

-- CreateIndex (an expression index with a predicate: schema.prisma cannot express it)
CREATE UNIQUE INDEX "Client_active_name_key" ON "Client" (lower("name")) WHERE "active";
