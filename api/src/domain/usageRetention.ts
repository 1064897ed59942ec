// Retention of raw usage records (LUMEN_USAGE_RECORD_RETENTION_DAYS). Totals live in the
// counters (ApiKey, ModelUsage) and series in the 15-minute rollups, all written with the
// records, so deleting old records changes no total, series or balance: after it,
// Σ rollup coins = coins spent still holds, while Σ record coins covers only the kept days.
import { db, type Tx } from '../db/current.ts';
import { runPeriodically, type PeriodicOptions } from './periodic.ts';
import { firstUuidv7At } from './uuid.ts';

/** Rows per DELETE: short statements, so settlements on the same table never wait long. */
const BATCH = 5000;

/** Deletes the records older than `days`; returns how many. Every instance may run it: a row is deleted once. */
export async function deleteExpiredUsageRecords(days: number, now = new Date(), tx: Tx = db()): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  let deleted = 0;
  for (;;) {
    // Record ids sort by time (domain/uuid.ts), so the id bound reads the primary key; createdAt
    // (the database's clock) decides exactly.
    const n = await tx.$executeRaw`
      DELETE FROM "UsageRecord" WHERE "id" IN (
        SELECT "id" FROM "UsageRecord"
         WHERE "id" < ${firstUuidv7At(cutoff.getTime() + 3_600_000)}::uuid AND "createdAt" < ${cutoff}
         LIMIT ${BATCH})`;
    deleted += n;
    if (n < BATCH) return deleted;
  }
}

/** Runs the retention now and then hourly; returns a function that stops it. */
export function startUsageRetention(days: number, options: PeriodicOptions = {}): () => void {
  return runPeriodically(
    () => deleteExpiredUsageRecords(days),
    options.everyMs ?? 3_600_000,
    options.onError ?? ((error) => console.error('usage record retention failed:', error)),
  );
}
