// The ranges a usage chart offers, the bucket sizes that fit each, and the exact bounds asked
// of the API. The API rounds `from` and `to` to bucket bounds itself; the bounds are computed
// here anyway so that the last bucket is always the current one (it moves live) whichever way
// the API rounds, and so that the chart, its table and the CSV export cover the same buckets.

export type UsageBucket = 'HOUR' | 'DAY' | 'WEEK';
export type UsageGroup = 'API_KEY' | 'CLIENT' | 'MODEL';
export type RangeId = '24h' | '7d' | '30d' | '90d';

export interface UsageRange {
  id: RangeId;
  label: string;
  days: number;
  /** The bucket sizes offered, the default first. Hourly 90 days would be 2,160 buckets × 21 groups: over the API's 5,000 points. */
  buckets: UsageBucket[];
}

export const RANGES: readonly UsageRange[] = [
  { id: '24h', label: '24 hours', days: 1, buckets: ['HOUR'] },
  { id: '7d', label: '7 days', days: 7, buckets: ['DAY', 'HOUR'] },
  { id: '30d', label: '30 days', days: 30, buckets: ['DAY'] },
  { id: '90d', label: '90 days', days: 90, buckets: ['DAY', 'WEEK'] },
];

export function rangeById(id: RangeId): UsageRange {
  return RANGES.find((r) => r.id === id) ?? RANGES[0];
}

/** A bucket size that fits the range: the one asked for if offered, else the range's default. */
export function bucketFor(range: UsageRange, wanted?: UsageBucket): UsageBucket {
  return wanted && range.buckets.includes(wanted) ? wanted : range.buckets[0];
}

export const BUCKET_WORD: Record<UsageBucket, { one: string; adjective: string }> = {
  HOUR: { one: 'hour', adjective: 'Hourly' },
  DAY: { one: 'day', adjective: 'Daily' },
  WEEK: { one: 'week', adjective: 'Weekly' },
};

/** The browser's time zone (an IANA name): days and weeks are the viewer's own. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

const HOUR_MS = 3_600_000;

/**
 * The bounds of the range as of `now`: `to` is the end of the bucket `now` is in (exclusive),
 * `from` the start of the first of the range's buckets. Buckets are the browser's zone's (the
 * zone sent to the API): hours start at the zone's full hour (half past, in UTC terms, in a
 * zone such as +05:30), days at local midnight and weeks on a local Monday. Local dates are
 * built with the Date constructor, which knows the zone's daylight-saving changes (a day may
 * be 23 or 25 hours long).
 */
export function rangeBounds(range: UsageRange, bucket: UsageBucket, now: Date): { from: Date; to: Date; buckets: number } {
  if (bucket === 'HOUR') {
    const buckets = range.days * 24;
    // getMinutes() is the zone's: the time since its last full hour.
    const hourStart = now.getTime() - (now.getMinutes() * 60_000 + now.getSeconds() * 1000 + now.getMilliseconds());
    const to = new Date(hourStart + HOUR_MS);
    return { from: new Date(to.getTime() - buckets * HOUR_MS), to, buckets };
  }
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  if (bucket === 'DAY') {
    const buckets = range.days;
    return { from: new Date(y, m, d + 1 - buckets), to: new Date(y, m, d + 1), buckets };
  }
  // ISO weeks: Monday is the first day (getDay() says 0 for Sunday).
  const monday = d - ((now.getDay() + 6) % 7);
  const buckets = Math.ceil(range.days / 7);
  return { from: new Date(y, m, monday + 7 - buckets * 7), to: new Date(y, m, monday + 7), buckets };
}

export interface SeriesVariables {
  from: string;
  to: string;
  bucket: UsageBucket;
  groupBy: UsageGroup | null;
  timeZone: string;
}

export function seriesVariables(
  range: UsageRange,
  bucket: UsageBucket,
  groupBy: UsageGroup | null,
  now: Date,
  timeZone = browserTimeZone(),
): SeriesVariables {
  const { from, to } = rangeBounds(range, bucket, now);
  return { from: from.toISOString(), to: to.toISOString(), bucket, groupBy, timeZone };
}

/** The CSV export of the same series (a plain download: the session cookie authorizes it). */
export function exportUrl(ownerId: string, v: SeriesVariables): string {
  const query = new URLSearchParams({ owner: ownerId, from: v.from, to: v.to, bucket: v.bucket });
  if (v.groupBy) query.set('groupBy', v.groupBy);
  query.set('timeZone', v.timeZone);
  return `/export/usage.csv?${query.toString()}`;
}
