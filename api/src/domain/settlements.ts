// Settling a forwarded request even when the database is unreachable at that moment.
// The upstream has answered (and will bill Lumen), so the usage must be recorded: a
// settlement that meets an outage is kept in this process's memory and retried, with
// backoff, until the database is back. Meanwhile its reservation stays in this process's
// live set, so the sweeper keeps it touched and no instance reclaims it. Should this process
// die first, the reservation is reclaimed after ABANDONED_AFTER_MS and the request goes
// unbilled: settled or reclaimed, never both (a settlement retried after a reclaim charges
// its cost without a refund; one retried after an unseen commit changes nothing, see
// recordUsage's record id).
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { uuidv7 } from './uuid.ts';
import type { Decimal } from './coins.ts';
import { letReservationLapse, recordUsage, type MeteredRequest } from './metering.ts';

export interface Settlement {
  /** True when the database was unreachable and the settlement waits in memory for it. */
  queued: boolean;
  /** The coins charged, once recorded; rejects if the settlement can never be recorded. */
  recorded: Promise<Decimal>;
}

interface Waiting {
  request: MeteredRequest;
  resolve(coins: Decimal): void;
  reject(error: unknown): void;
}

const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5_000;
const waiting: Waiting[] = [];
let timer: NodeJS.Timeout | null = null;
let delay = FIRST_RETRY_MS;

/** Settlements waiting for the database (for shutdown's log line and the metrics). */
export const unsettledCount = () => waiting.length;

/**
 * Records the request now, or, if the database cannot be reached, queues it and retries
 * until it can. Any other failure is the caller's, and its reservation is let go.
 */
export async function settleUsage(request: MeteredRequest): Promise<Settlement> {
  const once: MeteredRequest = { ...request, recordId: request.recordId ?? uuidv7() };
  try {
    const { coins } = await recordUsage(once);
    return { queued: false, recorded: Promise.resolve(coins) };
  } catch (error) {
    if (!isDatabaseUnavailable(error)) {
      letReservationLapse(once.reservation);
      throw error;
    }
    const recorded = new Promise<Decimal>((resolve, reject) => waiting.push({ request: once, resolve, reject }));
    schedule();
    return { queued: true, recorded };
  }
}

function schedule() {
  if (timer) return;
  timer = setTimeout(() => void retry(), delay);
  // Shutdown waits for these through /v1's in-flight tracking, with its own deadline.
  timer.unref();
}

async function retry() {
  // In arrival order, one at a time: when one fails for the outage, so would the rest.
  while (waiting.length > 0) {
    const next = waiting[0];
    try {
      const { coins } = await recordUsage(next.request);
      waiting.shift();
      delay = FIRST_RETRY_MS;
      next.resolve(coins);
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        delay = Math.min(delay * 2, LAST_RETRY_MS);
        timer = null;
        schedule();
        return;
      }
      waiting.shift();
      letReservationLapse(next.request.reservation);
      next.reject(error);
    }
  }
  timer = null;
}
