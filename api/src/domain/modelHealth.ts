// Model health, from each model's most recent upstream results as recorded in
// UsageRecord (so every instance agrees, and a restart forgets nothing): the last
// 20 requests of the last 10 minutes. Upstream errors and timeouts are failures;
// requests the upstream rejected as invalid, or that the client left, are not.
//   DISABLED  the model is disabled
//   DOWN      its upstreamKeyEnv is not an allowed variable (no request is sent),
//             or at least 3 failures and at least half of the recent requests failed,
//             or the 3 most recent requests all failed
//   DEGRADED  at least 10% of the recent requests failed, or the upstream overshot
//             (reported more tokens than it was allowed) in any recent request: it
//             still answers, but it breaks the limits billing relies on, so an admin
//             should look (never DOWN for that alone)
//   OK        otherwise (including no recent requests)
// Every status but OK and DISABLED comes with a reason (Model.statusReason).
import { db, type Tx } from '../db/current.ts';
import { FAILED_STATUSES, OVERSHOOT_STATUS } from './metering.ts';
import { isAllowedUpstreamKeyEnv, refusedUpstreamKeyEnv } from './upstreamKeys.ts';

export const MODEL_HEALTH_STATUSES = ['OK', 'DEGRADED', 'DOWN', 'DISABLED'] as const;
export type ModelHealthStatus = (typeof MODEL_HEALTH_STATUSES)[number];

export const HEALTH_WINDOW = { requests: 20, minutes: 10 } as const;

export interface RecentResults {
  requests: number;
  failures: number;
  /** Failures among the 3 most recent requests. */
  latestFailures: number;
  /** Requests whose upstream reported more tokens than it was allowed. */
  overshoots: number;
}

export interface ModelHealth {
  status: ModelHealthStatus;
  /** Why the model is DOWN or DEGRADED, for an admin; null when OK or DISABLED. */
  reason: string | null;
}

export function modelHealth(
  model: { name: string; disabled: boolean; upstreamKeyEnv: string | null },
  recent: RecentResults | undefined,
): ModelHealth {
  if (model.disabled) return { status: 'DISABLED', reason: null };
  if (model.upstreamKeyEnv && !isAllowedUpstreamKeyEnv(model.upstreamKeyEnv))
    return { status: 'DOWN', reason: refusedUpstreamKeyEnv(model.name, model.upstreamKeyEnv) };
  if (!recent || recent.requests === 0) return { status: 'OK', reason: null };
  const failed = `${recent.failures} of the last ${recent.requests} upstream requests failed or timed out`;
  if ((recent.failures >= 3 && recent.failures * 2 >= recent.requests) || (recent.requests >= 3 && recent.latestFailures === 3))
    return { status: 'DOWN', reason: failed };
  const reasons: string[] = [];
  if (recent.failures * 10 >= recent.requests && recent.failures > 0) reasons.push(failed);
  if (recent.overshoots > 0) {
    reasons.push(
      `the upstream answered with more tokens than Lumen allowed it in ${recent.overshoots} of the last ${recent.requests} requests; LIMITED pools paid for those only up to their reservation (see lumen_upstream_overshoot_total)`,
    );
  }
  if (reasons.length === 0) return { status: 'OK', reason: null };
  const reason = reasons.join('; ');
  return { status: 'DEGRADED', reason: reason[0].toUpperCase() + reason.slice(1) };
}

/**
 * Recent results of every model that had requests in the window, in one statement.
 * It reads at most HEALTH_WINDOW.requests rows per model (newest first, through the
 * (modelId, createdAt) index), so its cost does not grow with the traffic.
 */
export async function recentResults(tx: Tx = db(), now = new Date()): Promise<Map<string, RecentResults>> {
  const since = new Date(now.getTime() - HEALTH_WINDOW.minutes * 60_000);
  const rows = await tx.$queryRaw<(RecentResults & { modelId: string })[]>`
    SELECT m."id" AS "modelId",
           count(*)::int AS "requests",
           count(*) FILTER (WHERE r."failed")::int AS "failures",
           count(*) FILTER (WHERE r."failed" AND r."rank" <= 3)::int AS "latestFailures",
           count(*) FILTER (WHERE r."overshot")::int AS "overshoots"
      FROM "Model" AS m
     CROSS JOIN LATERAL (
           SELECT u."status" = ANY(${FAILED_STATUSES as string[]}::text[]) AS "failed",
                  u."status" = ${OVERSHOOT_STATUS}::text AS "overshot",
                  row_number() OVER (ORDER BY u."createdAt" DESC) AS "rank"
             FROM "UsageRecord" AS u
            WHERE u."modelId" = m."id" AND u."createdAt" > ${since}
            ORDER BY u."createdAt" DESC
            LIMIT ${HEALTH_WINDOW.requests}) AS r
     GROUP BY m."id"`;
  return new Map(
    rows.map((row) => [
      row.modelId,
      { requests: row.requests, failures: row.failures, latestFailures: row.latestFailures, overshoots: row.overshoots },
    ]),
  );
}
