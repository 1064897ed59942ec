// Refills: every refillIntervalSeconds a LIMITED pool gains refillAmount, capped at
// its capacity (a balance already above capacity is never lowered); the balance here is
// the pool row plus what instances hold leased of it (domain/leases.ts), as shown. The number of
// whole intervals since lastRefillAt is credited at once and lastRefillAt moves
// forward by exactly that many intervals, in one statement: the row lock taken by
// SELECT ... FOR UPDATE makes a second instance, refilling at the same moment,
// re-read the advanced lastRefillAt and find nothing due, so no interval is
// credited twice and none is lost.
import { db } from '../db/current.ts';
import { publishOwnerChange } from '../events/bus.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { log } from '../log.ts';
import { checkBudgetAlerts } from './budgetAlertCrossings.ts';
import { exact, type Decimal } from './coins.ts';

export interface RefillCredit {
  poolId: string;
  clientId: string | null;
  userId: string | null;
  intervals: number;
  /** What the balance actually grew by (less than intervals × amount when capped). */
  credited: Decimal;
}

export interface RefillOptions {
  /** Only this pool (a request that found its pool empty). */
  poolId?: string;
  now?: Date;
  /** Another connection to the same database (tests of two instances). */
  prisma?: PrismaClient;
}

export async function refillDuePools(options: RefillOptions = {}): Promise<RefillCredit[]> {
  const prisma = options.prisma ?? db();
  const now = (options.now ?? new Date()).toISOString();
  const onlyPool = options.poolId ? Prisma.sql`AND "id" = ${options.poolId}::uuid` : Prisma.empty;
  const rows = await prisma.$queryRaw<
    { id: string; clientId: string | null; userId: string | null; intervals: bigint; credited: string }[]
  >`
    WITH due AS (
      SELECT "id", "balance" AS "before",
             -- Coins leased by instances are part of the balance as shown, and count against the capacity.
             (SELECT coalesce(sum(l."amount"), 0) FROM "CoinLease" l WHERE l."poolId" = "CoinPool"."id") AS "leased",
             floor(extract(epoch FROM (${now}::timestamptz - "lastRefillAt")) / "refillIntervalSeconds")::bigint AS "intervals"
        FROM "CoinPool"
       WHERE "state" = 'LIMITED' AND "refillAmount" IS NOT NULL AND "refillIntervalSeconds" IS NOT NULL
         AND "lastRefillAt" IS NOT NULL AND "capacity" IS NOT NULL
         AND "lastRefillAt" + make_interval(secs => "refillIntervalSeconds") <= ${now}::timestamptz
         ${onlyPool}
       FOR UPDATE
    )
    UPDATE "CoinPool" AS p SET
      "balance" = CASE WHEN p."balance" + due."leased" >= p."capacity" THEN p."balance"
                       ELSE LEAST(p."capacity" - due."leased", p."balance" + p."refillAmount" * due."intervals") END,
      "lastRefillAt" = p."lastRefillAt" + make_interval(secs => p."refillIntervalSeconds" * due."intervals"),
      "updatedAt" = now()
      FROM due
     WHERE p."id" = due."id" AND due."intervals" > 0
    RETURNING p."id", p."clientId", p."userId", due."intervals", (p."balance" - due."before")::text AS "credited"`;
  const credits = rows.map((row) => ({
    poolId: row.id,
    clientId: row.clientId,
    userId: row.userId,
    intervals: Number(row.intervals),
    credited: exact(row.credited),
  }));
  for (const credit of credits) {
    publishOwnerChange({ change: 'REFILLED', clientId: credit.clientId, userId: credit.userId, apiKeyId: null, modelId: null });
  }
  // A refill that lifts a balance back above budget alert thresholds arms them again.
  const refilled = credits.flatMap((c) => (c.clientId && c.credited.greaterThan(0) ? [c.clientId] : []));
  if (refilled.length > 0) {
    // The coins are credited whatever happens here; a failed check is caught up by the next one.
    await checkBudgetAlerts(refilled, { rearm: true, now: options.now, prisma: options.prisma }).catch((error: unknown) =>
      log.warn({ err: error }, 'budget alert thresholds could not be checked after a refill'),
    );
  }
  return credits;
}
