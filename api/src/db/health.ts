// Whether the database is reachable, as the /v1 hot path last saw it. /v1 admits requests
// from coin leases without asking the database, so it must learn of an outage some other
// way: any hot statement that fails for the outage (or a connection the server ends)
// marks the database down, and from then on /v1 admits nothing new (503 with retry-after)
// until a probe, or any hot statement, succeeds again.
import { log } from '../log.ts';

const PROBE_EVERY_MS = 500;

let down = false;
let probe: (() => Promise<unknown>) | null = null;
let timer: NodeJS.Timeout | null = null;

/** What to run to learn that the database is back (set when the database is opened). */
export function setDatabaseProbe(run: (() => Promise<unknown>) | null): void {
  probe = run;
  if (!run) {
    down = false;
    if (timer) clearTimeout(timer);
    timer = null;
  }
}

export const databaseIsDown = () => down;

export function noteDatabaseDown(error: unknown): void {
  if (down) return;
  down = true;
  log.warn({ err: error }, 'the database is unreachable: /v1 admits no new requests until it is back');
  scheduleProbe();
}

export function noteDatabaseUp(): void {
  if (!down) return;
  down = false;
  log.info('the database is reachable again: /v1 admits requests');
}

function scheduleProbe() {
  if (timer || !probe) return;
  timer = setTimeout(() => {
    timer = null;
    if (!down || !probe) return;
    // The probe's own statement reports success or failure through noteDatabaseUp/Down.
    probe()
      .catch(() => undefined)
      .finally(() => {
        if (down) scheduleProbe();
      });
  }, PROBE_EVERY_MS);
  timer.unref();
}
