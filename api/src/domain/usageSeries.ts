// Usage over time, read from the 15-minute rollups (UsageRollup) that the batched settlement
// writes with the usage records. A series costs one index range per scope and never scans
// UsageRecord, so it costs the same whether a bucket holds one request or a million.
//
// Buckets: HOUR, DAY or WEEK (ISO weeks, from Monday), in UTC or in an IANA time zone. A day
// in a zone follows its clock: across a daylight-saving change it lasts 23 or 25 hours. Hours
// are steps of 60 minutes from the zone's hour bound, so the repeated hour of an autumn change
// is two buckets, and zones such as +05:30 get their own hours. Every such bound falls on a
// quarter hour, so each rollup lies in exactly one bucket.
import { db, type Tx } from '../db/current.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { exact } from './coins.ts';
import { badInput } from './errors.ts';
import type { UsageTotals } from './usage.ts';

export type UsageBucket = 'HOUR' | 'DAY' | 'WEEK';
export type UsageGroup = 'MODEL' | 'API_KEY' | 'CLIENT';

/** Whose usage: one owner, one key, one model, or the whole instance. */
export type SeriesScope = { clientId: string } | { userId: string } | { apiKeyId: string } | { modelId: string } | { instance: true };

export interface SeriesQuery {
  from: Date;
  to: Date;
  bucket: UsageBucket;
  groupBy?: UsageGroup | null;
  timeZone?: string | null;
}

export interface UsagePoint extends UsageTotals {
  start: Date;
  /** The model, key or client of the point's group; null without a group, for `other`, and for personal keys grouped by client. */
  groupId: string | null;
  /** The sum of the groups beyond the top MAX_GROUPS of the range. */
  other: boolean;
}

/** Points a series may hold (buckets × groups): a chart shows no more, and a response stays small. */
export const MAX_POINTS = 5000;
/** Groups shown one by one; the rest of the range is summed into one `other` group. */
export const MAX_GROUPS = 20;

/** Which groups make sense for which scope: a key has one owner, a client's usage has one client. */
const GROUPS_OF: Record<ScopeKind, readonly UsageGroup[]> = {
  client: ['MODEL', 'API_KEY'],
  user: ['MODEL', 'API_KEY'],
  apiKey: ['MODEL'],
  model: ['CLIENT', 'API_KEY'],
  instance: ['MODEL', 'API_KEY', 'CLIENT'],
};
type ScopeKind = 'client' | 'user' | 'apiKey' | 'model' | 'instance';

const GROUP_COLUMN: Record<UsageGroup, string> = { MODEL: '"modelId"', API_KEY: '"apiKeyId"', CLIENT: '"clientId"' };
// Personal keys have no client: grouped by client they form a group of their own, which
// needs a value that IN and = can compare (NULL cannot be).
const NO_CLIENT = '00000000-0000-0000-0000-000000000000';

const UNIT: Record<UsageBucket, string> = { HOUR: 'hour', DAY: 'day', WEEK: 'week' };
const STEP: Record<UsageBucket, string> = { HOUR: '1 hour', DAY: '1 day', WEEK: '7 days' };
// The shortest a bucket can be (a day across a spring change lasts 23 hours): bounds the
// bucket count before the database is asked, so an absurd range costs nothing.
const SHORTEST_MS: Record<UsageBucket, number> = { HOUR: 3_600_000, DAY: 23 * 3_600_000, WEEK: (7 * 24 - 1) * 3_600_000 };

// IANA names only ("Europe/Berlin", "Asia/Kolkata", "UTC", "Etc/GMT+5"). PostgreSQL would also
// take POSIX strings such as "UTC+5", whose sign is the reverse of what people mean.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

export function checkTimeZone(timeZone: string): string {
  let known = ZONE_NAME.test(timeZone) && timeZone.length <= 64;
  if (known) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw badInput(`timeZone must be an IANA time zone name such as "Europe/Berlin" or "UTC" (got "${timeZone.slice(0, 64)}")`, 'timeZone');
  }
  return timeZone;
}

function scopeKind(scope: SeriesScope): ScopeKind {
  if ('clientId' in scope) return 'client';
  if ('userId' in scope) return 'user';
  if ('apiKeyId' in scope) return 'apiKey';
  if ('modelId' in scope) return 'model';
  return 'instance';
}

function scopeWhere(scope: SeriesScope): Prisma.Sql {
  if ('clientId' in scope) return Prisma.sql`"clientId" = ${scope.clientId}::uuid`;
  if ('userId' in scope) return Prisma.sql`"userId" = ${scope.userId}::uuid`;
  if ('apiKeyId' in scope) return Prisma.sql`"apiKeyId" = ${scope.apiKeyId}::uuid`;
  if ('modelId' in scope) return Prisma.sql`"modelId" = ${scope.modelId}::uuid`;
  return Prisma.sql`TRUE`;
}

/** Refuses what cannot be answered, with the reason, before any work; `maxBuckets` is the caller's cap. */
export function checkSeriesQuery(scope: SeriesScope, query: SeriesQuery, maxBuckets = MAX_POINTS): void {
  const kind = scopeKind(scope);
  if (Number.isNaN(query.from.getTime()) || Number.isNaN(query.to.getTime()))
    throw badInput('from and to must be valid date-times', 'from');
  if (query.to <= query.from) throw badInput('to must be after from (from is inclusive, to exclusive)', 'to');
  if (query.groupBy && !GROUPS_OF[kind].includes(query.groupBy)) {
    throw badInput(`groupBy ${query.groupBy} makes no sense here; this usage can be grouped by ${GROUPS_OF[kind].join(' or ')}`, 'groupBy');
  }
  if (query.timeZone) checkTimeZone(query.timeZone);
  const buckets = Math.floor((query.to.getTime() - query.from.getTime()) / SHORTEST_MS[query.bucket]);
  if (buckets > maxBuckets) throw tooManyPoints(buckets, 1, query.bucket, maxBuckets);
}

function tooManyPoints(buckets: number, groups: number, bucket: UsageBucket, max = MAX_POINTS): Error {
  const what = groups > 1 ? `${buckets} ${bucket} buckets × ${groups} groups` : `about ${buckets} ${bucket} buckets`;
  return badInput(
    `This range has ${what}; ${max === MAX_POINTS ? 'a series holds' : 'an export holds'} at most ${max} points. Choose a shorter range or a larger bucket.`,
    'to',
  );
}

interface Bounds {
  starts: Date[];
  lo: Date;
  hi: Date;
}

/**
 * [from, to) with from rounded down and to rounded up to bucket bounds, and (withStarts) the
 * bucket starts between. HOUR steps are absolute from the zone's hour bound; DAY and WEEK
 * steps follow the zone's clock.
 */
async function bucketBounds(tx: Tx, query: SeriesQuery, withStarts = true): Promise<Bounds> {
  const zone = query.timeZone ?? 'UTC';
  const unit = UNIT[query.bucket];
  const step = Prisma.raw(`interval '${STEP[query.bucket]}'`);
  // HOUR: generate_series on timestamptz (absolute); DAY and WEEK: on the zone's timestamp, then back.
  const series = !withStarts
    ? Prisma.sql`SELECT NULL::timestamptz AS "start" WHERE FALSE`
    : query.bucket === 'HOUR'
      ? Prisma.sql`SELECT g AS "start" FROM "bounds", generate_series("lo", "hi" - interval '1 millisecond', ${step}) AS g`
      : Prisma.sql`SELECT (g AT TIME ZONE ${zone}) AS "start" FROM "local",
                          generate_series("lo", "hi" - interval '1 millisecond', ${step}) AS g`;
  const rows = await tx.$queryRaw<{ starts: Date[]; lo: Date; hi: Date }[]>`
    WITH "edges" AS (
      SELECT date_trunc(${unit}, ${query.from}::timestamptz AT TIME ZONE ${zone}) AS "lo",
             date_trunc(${unit}, ${query.to}::timestamptz AT TIME ZONE ${zone}) AS "toFloor",
             ${query.to}::timestamptz AT TIME ZONE ${zone} AS "to"
    ), "local" AS (
      SELECT "lo", CASE WHEN "toFloor" = "to" THEN "toFloor" ELSE "toFloor" + ${step} END AS "hi" FROM "edges"
    ), "bounds" AS (
      SELECT "lo" AT TIME ZONE ${zone} AS "lo", "hi" AT TIME ZONE ${zone} AS "hi" FROM "local"
    )
    SELECT (SELECT coalesce(array_agg("start" ORDER BY "start"), '{}') FROM (${series}) AS s) AS "starts",
           "lo", "hi" FROM "bounds"`;
  const row = rows[0]!;
  return { starts: row.starts.map((start) => new Date(start)), lo: new Date(row.lo), hi: new Date(row.hi) };
}

/**
 * The bounds of one query object, computed once however many parts of an answer ask for them:
 * instanceUsage's points, topClients and topModels share their query. Bounds depend on the
 * query alone (no table is read), so any connection or transaction gives the same answer.
 */
const sharedBounds = new WeakMap<SeriesQuery, Promise<Bounds>>();
function boundsOf(tx: Tx, query: SeriesQuery): Promise<Bounds> {
  let bounds = sharedBounds.get(query);
  if (!bounds) {
    bounds = bucketBounds(tx, query);
    sharedBounds.set(query, bounds);
    // A failure is not kept: the next part asks again and reports it too.
    bounds.catch(() => sharedBounds.delete(query));
  }
  return bounds;
}

const groupExpression = (groupBy: UsageGroup | null | undefined) =>
  groupBy
    ? Prisma.raw(groupBy === 'CLIENT' ? `coalesce("clientId", '${NO_CLIENT}'::uuid)` : GROUP_COLUMN[groupBy])
    : Prisma.raw('NULL::uuid');

interface Group {
  g: string | null;
  other: boolean;
}

/**
 * The groups of [lo, hi) in the order a chart stacks them: the top MAX_GROUPS by coins (then
 * requests), then `other` if there are more. Ungrouped: one group.
 */
async function seriesGroups(tx: Tx, scope: SeriesScope, groupBy: UsageGroup | null | undefined, lo: Date, hi: Date): Promise<Group[]> {
  if (!groupBy) return [{ g: null, other: false }];
  const rows = await tx.$queryRaw<{ g: string }[]>`
    SELECT ${groupExpression(groupBy)} AS "g" FROM "UsageRollup"
     WHERE ${scopeWhere(scope)} AND "bucketStart" >= ${lo}::timestamptz AND "bucketStart" < ${hi}::timestamptz
     GROUP BY 1 ORDER BY sum("coins") DESC, sum("requests") DESC, 1
     LIMIT ${MAX_GROUPS + 1}`;
  const groups: Group[] = rows.slice(0, MAX_GROUPS).map((row) => ({ g: row.g, other: false }));
  if (rows.length > MAX_GROUPS) groups.push({ g: null, other: true });
  return groups;
}

interface CellRow {
  start: Date;
  g: string | null;
  requests: number;
  inputTokens: bigint;
  outputTokens: bigint;
  coins: Prisma.Decimal;
}

/** The points of some buckets: every group in every bucket, zeros included. */
async function seriesPoints(tx: Tx, scope: SeriesScope, query: SeriesQuery, bounds: Bounds, groups: Group[]): Promise<UsagePoint[]> {
  const zone = query.timeZone ?? 'UTC';
  const bucketOf =
    query.bucket === 'HOUR'
      ? Prisma.sql`date_bin('1 hour', "bucketStart", ${bounds.lo}::timestamptz)`
      : Prisma.sql`(date_trunc(${UNIT[query.bucket]}, "bucketStart" AT TIME ZONE ${zone}) AT TIME ZONE ${zone})`;
  const top = groups.filter((group) => !group.other && group.g !== null).map((group) => group.g!);
  // Groups beyond the top are summed into one cell per bucket (g null), as `other`.
  const folded = query.groupBy
    ? Prisma.sql`CASE WHEN ${groupExpression(query.groupBy)} = ANY(${top}::uuid[]) THEN ${groupExpression(query.groupBy)} END`
    : Prisma.raw('NULL::uuid');
  const rows = await tx.$queryRaw<CellRow[]>`
    SELECT ${bucketOf} AS "start", ${folded} AS "g",
           sum("requests")::int AS "requests", sum("inputTokens")::bigint AS "inputTokens",
           sum("outputTokens")::bigint AS "outputTokens", sum("coins") AS "coins"
      FROM "UsageRollup"
     WHERE ${scopeWhere(scope)} AND "bucketStart" >= ${bounds.lo}::timestamptz AND "bucketStart" < ${bounds.hi}::timestamptz
     GROUP BY 1, 2`;
  const cells = new Map(rows.map((row) => [`${new Date(row.start).getTime()}|${row.g ?? ''}`, row]));
  const points: UsagePoint[] = [];
  for (const start of bounds.starts) {
    for (const { g, other } of groups) {
      const row = cells.get(`${start.getTime()}|${g ?? ''}`);
      points.push({
        start,
        groupId: g === NO_CLIENT ? null : g,
        other,
        requests: row?.requests ?? 0,
        inputTokens: BigInt(row?.inputTokens ?? 0),
        outputTokens: BigInt(row?.outputTokens ?? 0),
        coinsSpent: exact(row?.coins ?? 0),
      });
    }
  }
  return points;
}

/**
 * The series of a scope: one point per bucket, or per bucket and group when grouped (every
 * group of the range in every bucket, zeros included, so a chart needs no gap filling). The
 * groups beyond the top MAX_GROUPS of the range (by coins, then requests) are one `other`
 * group. Σ points over a range covering all usage = the scope's usage totals, exactly.
 */
export async function usageSeries(scope: SeriesScope, query: SeriesQuery, tx: Tx = db()): Promise<UsagePoint[]> {
  checkSeriesQuery(scope, query);
  const bounds = await boundsOf(tx, query);
  if (bounds.starts.length > MAX_POINTS) throw tooManyPoints(bounds.starts.length, 1, query.bucket);
  const groups = await seriesGroups(tx, scope, query.groupBy, bounds.lo, bounds.hi);
  if (bounds.starts.length * groups.length > MAX_POINTS) throw tooManyPoints(bounds.starts.length, groups.length, query.bucket);
  return seriesPoints(tx, scope, query, bounds, groups);
}

/** An export may be longer than a chart: it is written a slice at a time (usageSeriesSlices). */
export const MAX_EXPORT_BUCKETS = 200_000;
const SLICE_BUCKETS = 500;

/**
 * The same points as usageSeries, for ranges of any length up to MAX_EXPORT_BUCKETS, a slice of
 * SLICE_BUCKETS buckets at a time, so that memory does not grow with the range. The groups are
 * the whole range's, as in usageSeries.
 */
export async function* usageSeriesSlices(scope: SeriesScope, query: SeriesQuery, tx: Tx = db()): AsyncGenerator<UsagePoint[]> {
  checkSeriesQuery(scope, query, MAX_EXPORT_BUCKETS);
  const whole = await bucketBounds(tx, query, false);
  const groups = await seriesGroups(tx, scope, query.groupBy, whole.lo, whole.hi);
  let cursor = whole.lo;
  while (cursor < whole.hi) {
    // A slice starts on a bucket bound (the previous slice's end) and ends on one (rounded up).
    const end = new Date(Math.min(cursor.getTime() + SLICE_BUCKETS * SHORTEST_MS[query.bucket], whole.hi.getTime()));
    const slice = await bucketBounds(tx, { ...query, from: cursor, to: end });
    yield await seriesPoints(tx, scope, query, slice, groups);
    cursor = slice.hi;
  }
}

export interface RankedTotal extends UsageTotals {
  id: string;
}

/** The clients or models that spent most in the range (rounded as the series' is) across the instance, largest first. */
export async function topUsage(by: 'clientId' | 'modelId', query: SeriesQuery, first: number, tx: Tx = db()): Promise<RankedTotal[]> {
  checkSeriesQuery({ instance: true }, { ...query, groupBy: null });
  const { lo: from, hi: to } = await boundsOf(tx, query);
  const column = Prisma.raw(`"${by}"`);
  const rows = await tx.$queryRaw<(Omit<CellRow, 'start' | 'g'> & { id: string })[]>`
    SELECT ${column} AS "id", sum("requests")::int AS "requests", sum("inputTokens")::bigint AS "inputTokens",
           sum("outputTokens")::bigint AS "outputTokens", sum("coins") AS "coins"
      FROM "UsageRollup"
     WHERE ${column} IS NOT NULL AND "bucketStart" >= ${from}::timestamptz AND "bucketStart" < ${to}::timestamptz
     GROUP BY 1
     ORDER BY sum("coins") DESC, sum("requests") DESC, 1
     LIMIT ${first}`;
  return rows.map((row) => ({
    id: row.id,
    requests: row.requests,
    inputTokens: BigInt(row.inputTokens),
    outputTokens: BigInt(row.outputTokens),
    coinsSpent: exact(row.coins),
  }));
}
