// Requests under way, so that a stopping server can let them finish and record
// their usage instead of cutting them off half-billed.
const pending = new Set<Promise<unknown>>();
let draining = false;

/** Keeps `work` in the set until it settles (a streamed answer: until it is recorded). */
export function track<T>(work: Promise<T>): Promise<T> {
  pending.add(work);
  const forget = () => pending.delete(work);
  work.then(forget, forget);
  return work;
}

export const isDraining = () => draining;

/** Refuses new requests from now on and waits for those under way (at most `timeoutMs`). */
export async function drain(timeoutMs: number): Promise<{ finished: boolean; left: number }> {
  draining = true;
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    await Promise.race([
      Promise.allSettled([...pending]),
      new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
    ]);
  }
  return { finished: pending.size === 0, left: pending.size };
}
