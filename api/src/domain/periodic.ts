// A job every instance runs now and then at an interval (coin pool upkeep, key expiry
// notices): a slow run is never overlapped by the next one, and a failed one is reported
// without stopping the rest.
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
