// What recent requests reserved at admission (UsageRecord.reservedCoins): a pool whose
// balance is below the largest of them would refuse such a request, which the UI warns of.
import { db } from '../db/current.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { exact, type Decimal } from './coins.ts';

/** How many of an owner's latest requests the warning looks at. */
export const RECENT_REQUESTS = 20;

/**
 * The largest reservation among each owner's last RECENT_REQUESTS requests, for many owners in
 * one statement (each owner's latest rows come from the (owner, createdAt) index). Owners
 * without a request with a known reservation are left out.
 */
export async function largestRecentReservations(column: 'clientId' | 'userId', ids: string[]): Promise<Map<string, Decimal>> {
  if (ids.length === 0) return new Map();
  const owner = Prisma.raw(`"${column}"`);
  const rows = await db().$queryRaw<{ id: string; largest: Prisma.Decimal | null }[]>`
    SELECT o."id"::text AS "id",
           (SELECT max(r."reservedCoins")
              FROM (SELECT "reservedCoins" FROM "UsageRecord" u
                     WHERE u.${owner} = o."id" ORDER BY u."createdAt" DESC, u."id" DESC LIMIT ${RECENT_REQUESTS}) r) AS "largest"
      FROM unnest(${ids}::uuid[]) AS o("id")`;
  return new Map(rows.filter((row) => row.largest !== null).map((row) => [row.id, exact(row.largest!)]));
}
