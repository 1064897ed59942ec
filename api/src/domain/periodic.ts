// Jobs every instance runs in the background. runPeriodically: now and then at an interval
// (coin pool upkeep, key expiry notices), a slow run never overlapped by the next one, a
// failed one reported without stopping the rest. coalescedRuns: on demand, one at a time.
export interface PeriodicOptions {
  everyMs?: number;
  onError?: (error: unknown) => void;
}

/** Runs `job` now and every `everyMs`; returns a function that stops it. */
export function runPeriodically(job: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    job()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A job that runs at most once at a time; see coalescedRuns. */
export interface CoalescedRuns {
  /** Runs the job now, or once more right after the run under way (calls meanwhile count as one). */
  run(): void;
  /** Resolves when no run is under way or asked for. */
  settled(): Promise<void>;
}

/**
 * A job run at most once at a time, that never misses what came up while it ran: a call during
 * a run asks for one more run right after it (budget alert delivery after a crossing, threshold
 * checks after settlements). A failed run is reported and the next call runs again.
 */
export function coalescedRuns(job: () => Promise<unknown>, onError: (error: unknown) => void): CoalescedRuns {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = job()
      .then(() => undefined, onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return {
    run,
    settled: async () => {
      while (running) await running;
    },
  };
}
