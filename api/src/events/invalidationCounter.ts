// The invalidation counter in PostgreSQL: the bus's fallback between instances while
// Redis is down. Every invalidation and access loss raises it (after its change is
// committed); an instance that cannot hear Redis polls it and, when it moved, empties
// its caches and checks its subscriptions' viewers again, as a Redis message would
// have made it do.
import { database } from '../db/current.ts';
import { log } from '../log.ts';

/** How often an instance without Redis reads the counter; with the read itself, revocations reach it within 2 s. */
export const POLL_INTERVAL_MS = 1000;

/** Raises in flight: the database is closed only after them (lumen.ts), or a CLI would close it under one. */
const pending = new Set<Promise<void>>();

/** Raises the counter; never throws (a failure is logged: Redis or the 60 s cache lifetime still bound staleness). */
export function bumpInvalidationCounter(): Promise<void> {
  // The embedded database has one process, which hears its own invalidations directly.
  if (database().kind === 'pglite') return Promise.resolve();
  const bump = raise().finally(() => pending.delete(bump));
  pending.add(bump);
  return bump;
}

/** Waits for the raises in flight (before the database closes). */
export async function finishInvalidationBumps(): Promise<void> {
  await Promise.all([...pending]);
}

async function raise(): Promise<void> {
  try {
    // An upsert, so that a missing row (a database emptied by hand) is recreated rather than ignored.
    await database().prisma.invalidation.upsert({ where: { id: 1 }, create: { id: 1, n: 1 }, update: { n: { increment: 1 } } });
  } catch (error) {
    log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'could not raise the invalidation counter');
  }
}

/** The counter's value (0 before anything raised it), or null when the database cannot say. */
export async function readInvalidationCounter(): Promise<bigint | null> {
  try {
    const row = await database().prisma.invalidation.findUnique({ where: { id: 1 }, select: { n: true } });
    return row?.n ?? 0n;
  } catch {
    return null;
  }
}

/**
 * Polls the counter every second and calls `onChange` whenever it moved since the
 * first read. The first read happens before `onChange` is first called (the caller
 * empties its caches then), so nothing raised after that empty is missed.
 */
export function pollInvalidationCounter(onChange: () => void): () => void {
  let last: bigint | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const n = await readInvalidationCounter();
    if (stopped) return;
    if (n !== null) {
      const moved = last === null || n !== last;
      last = n;
      if (moved) onChange();
    }
    timer = setTimeout(tick, POLL_INTERVAL_MS);
    timer.unref();
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
