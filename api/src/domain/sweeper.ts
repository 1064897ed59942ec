// The periodic upkeep of coin pools, every few seconds on every instance: credit due
// refills (requests refused for coins refill their own pool first, so this keeps the
// balances shown on pages current), keep this process's reservations and coin leases
// marked as alive, give back idle leases, and give back the reservations and leases of
// processes that died.
import { upkeepLeases } from './leases.ts';
import { reclaimAbandonedReservations, touchLiveReservations } from './metering.ts';
import { refillDuePools } from './refills.ts';

/** Runs the upkeep now and then every `everyMs` (default 5 s); returns a function that stops it. */
export function startSweeper(options: { everyMs?: number; onError?: (error: unknown) => void } = {}): () => void {
  const everyMs = options.everyMs ?? 5000;
  const onError = options.onError ?? ((error) => console.error('Coin pool upkeep failed:', error));
  let running = false;
  const sweep = () => {
    // A slow sweep is never overlapped by the next one.
    if (running) return;
    running = true;
    Promise.all([refillDuePools(), Promise.all([touchLiveReservations(), upkeepLeases()]).then(() => reclaimAbandonedReservations())])
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
