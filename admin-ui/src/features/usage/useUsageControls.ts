import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Metric } from './usageSeries';
import {
  bucketFor,
  rangeById,
  seriesVariables,
  type RangeId,
  type SeriesVariables,
  type UsageBucket,
  type UsageGroup,
  type UsageRange,
} from './usageRange';

export interface UsageControls {
  range: UsageRange;
  bucket: UsageBucket;
  metric: Metric;
  groupBy: UsageGroup | null;
  /** The groups this chart may stack by (none: one series). */
  groupOptions: readonly UsageGroup[];
  variables: SeriesVariables;
  setRange(id: RangeId): void;
  setBucket(bucket: UsageBucket): void;
  setMetric(metric: Metric): void;
  setGroupBy(group: UsageGroup): void;
  /** Moves the range to end with the bucket that is current now (after the clock passed `to`). */
  moveToNow(): void;
}

/** What a usage chart shows: range, bucket size, metric and grouping, and the query variables for them. */
export function useUsageControls(groupOptions: readonly UsageGroup[], initial: { range?: RangeId } = {}): UsageControls {
  const [rangeId, setRangeId] = useState<RangeId>(initial.range ?? '7d');
  const [wantedBucket, setWantedBucket] = useState<UsageBucket | undefined>();
  const [metric, setMetric] = useState<Metric>('REQUESTS');
  const [group, setGroup] = useState<UsageGroup | null>(groupOptions[0] ?? null);
  const [now, setNow] = useState(() => new Date());
  const range = rangeById(rangeId);
  const bucket = bucketFor(range, wantedBucket);
  const groupBy = group && groupOptions.includes(group) ? group : (groupOptions[0] ?? null);
  const variables = useMemo(() => seriesVariables(range, bucket, groupBy, now), [range, bucket, groupBy, now]);
  return {
    range,
    bucket,
    metric,
    groupBy,
    groupOptions,
    variables,
    setRange: (id) => {
      setRangeId(id);
      setNow(new Date());
    },
    setBucket: (b) => {
      setWantedBucket(b);
      setNow(new Date());
    },
    setMetric,
    setGroupBy: setGroup,
    moveToNow: useCallback(() => setNow(new Date()), []),
  };
}

/**
 * Calls `refresh` when `signature` changes (after its first value), at most once every
 * `minGapMs`: the first change at once, changes within the gap once at its end. A burst of
 * metered requests (hundreds a second on a busy client) so costs one series query per gap.
 */
export function useThrottledRefresh(signature: string | null, refresh: () => void, minGapMs: number): void {
  const last = useRef<{ signature: string | null; ranAt: number; timer?: ReturnType<typeof setTimeout> }>({ signature, ranAt: 0 });
  const run = useRef(refresh);
  run.current = refresh;
  useEffect(() => {
    const state = last.current;
    if (signature === null) return;
    if (state.signature === null) {
      state.signature = signature;
      return;
    }
    if (signature === state.signature) return;
    state.signature = signature;
    if (state.timer) return;
    const wait = state.ranAt + minGapMs - Date.now();
    const go = () => {
      state.timer = undefined;
      state.ranAt = Date.now();
      run.current();
    };
    if (wait <= 0) go();
    else state.timer = setTimeout(go, wait);
  }, [signature, minGapMs]);
  useEffect(() => () => clearTimeout(last.current.timer), []);
}

export type ShownFor = Pick<UsageControls, 'range' | 'bucket' | 'groupBy'>;

/**
 * The last series shown, with the controls it was asked for. When the range changes, the new
 * series is a new query; until it answers, the chart keeps the old one (dimmed, with its own
 * summary) instead of flashing a spinner. `answeredFor` is the variables of the operation the
 * result came from (urql's `operation.variables`).
 */
export function useShownSeries<T>(
  value: T | undefined,
  answeredWith: object | undefined,
  controls: UsageControls,
): { value: T; pointsFor: ShownFor } | null {
  const shown = useRef<{ value: T; pointsFor: ShownFor } | null>(null);
  const v = controls.variables;
  const answeredFor = answeredWith as Partial<Record<keyof typeof v, unknown>> | undefined;
  const current =
    value !== undefined &&
    answeredFor !== undefined &&
    answeredFor.from === v.from &&
    answeredFor.to === v.to &&
    answeredFor.bucket === v.bucket &&
    (answeredFor.groupBy ?? null) === v.groupBy;
  if (current && shown.current?.value !== value) {
    shown.current = { value, pointsFor: { range: controls.range, bucket: controls.bucket, groupBy: controls.groupBy } };
  }
  return shown.current;
}
