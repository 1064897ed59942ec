// Model.requestsLast24Hours for a whole list of models in one grouped statement (batch.ts
// collects the models one GraphQL request asks about); the (modelId, createdAt) index serves it.
import { db } from '../db/current.ts';
import { batchLoader } from './batch.ts';

const DAY_MS = 24 * 60 * 60_000;

async function countRequests(modelIds: string[]): Promise<Map<string, number>> {
  const rows = await db().usageRecord.groupBy({
    by: ['modelId'],
    where: { modelId: { in: modelIds }, createdAt: { gte: new Date(Date.now() - DAY_MS) } },
    _count: { _all: true },
  });
  return new Map(rows.map((row) => [row.modelId, row._count._all]));
}

/** Requests to the model in the last 24 hours; 0 without any. */
export const requestsLast24Hours = batchLoader(countRequests, 0);
