// The periodic upkeep of coin pools, every few seconds on every instance: credit due
// refills (requests refused for coins refill their own pool first, so this keeps the
// balances shown on pages current), keep this process's reservations and coin leases
// marked as alive, give back idle leases, and give back the reservations and leases of
// processes that died.
import { upkeepLeases } from './leases.ts';
import { reclaimAbandonedReservations, touchLiveReservations } from './metering.ts';
import { refillDuePools } from './refills.ts';
import { runPeriodically, type PeriodicOptions } from './periodic.ts';

/** Runs the upkeep now and then every `everyMs` (default 5 s); returns a function that stops it. */
export function startSweeper(options: PeriodicOptions = {}): () => void {
  return runPeriodically(
    () =>
      Promise.all([refillDuePools(), Promise.all([touchLiveReservations(), upkeepLeases()]).then(() => reclaimAbandonedReservations())]),
    options.everyMs ?? 5000,
    options.onError ?? ((error) => console.error('Coin pool upkeep failed:', error)),
  );
}
