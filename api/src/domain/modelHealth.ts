// Model health, from each model's most recent upstream results as recorded in
// UsageRecord (so every instance agrees, and a restart forgets nothing): the last
// 20 requests of the last 10 minutes. Upstream errors and timeouts are failures;
// requests the upstream rejected as invalid, or that the client left, are not.
//   DISABLED  the model is disabled
//   DOWN      at least 3 failures and at least half of the recent requests failed,
//             or the 3 most recent requests all failed
//   DEGRADED  at least 10% of the recent requests failed
//   OK        otherwise (including no recent requests)
import { db, type Tx } from '../db/current.ts';
import { FAILED_STATUSES } from './metering.ts';

export type ModelHealthStatus = 'OK' | 'DEGRADED' | 'DOWN' | 'DISABLED';

export const HEALTH_WINDOW = { requests: 20, minutes: 10 } as const;

export interface RecentResults {
  requests: number;
  failures: number;
  /** Failures among the 3 most recent requests. */
  latestFailures: number;
}

export function healthStatus(model: { disabled: boolean }, recent: RecentResults | undefined): ModelHealthStatus {
  if (model.disabled) return 'DISABLED';
  if (!recent || recent.requests === 0) return 'OK';
  if ((recent.failures >= 3 && recent.failures * 2 >= recent.requests) || (recent.requests >= 3 && recent.latestFailures === 3)) return 'DOWN';
  if (recent.failures * 10 >= recent.requests && recent.failures > 0) return 'DEGRADED';
  return 'OK';
}

/**
 * Recent results of every model that had requests in the window, in one statement.
 * It reads at most HEALTH_WINDOW.requests rows per model (newest first, through the
 * (modelId, createdAt) index), so its cost does not grow with the traffic.
 */
export async function recentResults(tx: Tx = db(), now = new Date()): Promise<Map<string, RecentResults>> {
  const since = new Date(now.getTime() - HEALTH_WINDOW.minutes * 60_000);
  const rows = await tx.$queryRaw<{ modelId: string; requests: number; failures: number; latestFailures: number }[]>`
    SELECT m."id" AS "modelId",
           count(*)::int AS "requests",
           count(*) FILTER (WHERE r."failed")::int AS "failures",
           count(*) FILTER (WHERE r."failed" AND r."rank" <= 3)::int AS "latestFailures"
      FROM "Model" AS m
     CROSS JOIN LATERAL (
           SELECT u."status" = ANY(${FAILED_STATUSES as string[]}::text[]) AS "failed",
                  row_number() OVER (ORDER BY u."createdAt" DESC) AS "rank"
             FROM "UsageRecord" AS u
            WHERE u."modelId" = m."id" AND u."createdAt" > ${since}
            ORDER BY u."createdAt" DESC
            LIMIT ${HEALTH_WINDOW.requests}) AS r
     GROUP BY m."id"`;
  return new Map(rows.map((row) => [row.modelId, { requests: row.requests, failures: row.failures, latestFailures: row.latestFailures }]));
}
