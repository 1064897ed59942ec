// RSS of the server process, sampled from /proc/<pid>/status while the soak runs.
// Growth is judged after a warm-up (JIT, connection pools, caches fill first):
// the median of the last samples against the median of the first ones after it,
// medians so that one garbage-collection swing does not decide the verdict.
import { rssMiB } from '../lib/machine.ts';

export interface MemoryVerdict {
  samples: { atSeconds: number; rssMiB: number }[];
  warmUpSeconds: number;
  afterWarmUpMiB: number;
  endMiB: number;
  peakMiB: number;
  growthMiB: number;
  boundMiB: number;
  ok: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export function sampleRss(pid: number, everyMs: number) {
  const started = Date.now();
  const samples: MemoryVerdict['samples'] = [];
  const take = () => {
    const rss = rssMiB(pid);
    if (rss !== null) samples.push({ atSeconds: (Date.now() - started) / 1000, rssMiB: rss });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop(warmUpSeconds: number, boundMiB: number): MemoryVerdict {
      clearInterval(timer);
      take();
      const after = samples.filter((s) => s.atSeconds >= warmUpSeconds).map((s) => s.rssMiB);
      const afterWarmUpMiB = median(after.slice(0, 3));
      const endMiB = median(after.slice(-3));
      const growthMiB = endMiB - afterWarmUpMiB;
      return {
        samples,
        warmUpSeconds,
        afterWarmUpMiB,
        endMiB,
        peakMiB: Math.max(...samples.map((s) => s.rssMiB)),
        growthMiB,
        boundMiB,
        ok: after.length >= 6 && growthMiB < boundMiB,
      };
    },
  };
}
