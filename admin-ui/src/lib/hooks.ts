import { useEffect, useState } from 'react';

/** `value`, but only after it stopped changing for `delay` ms. */
export function useDebounced<T>(value: T, delay = 250): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    if (Object.is(value, debounced)) return;
    const t = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(t);
  }, [value, delay, debounced]);
  return debounced;
}

/** The current time, updated every `intervalMs` while `active`. */
export function useNow(intervalMs = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs, active]);
  return now;
}

/** Calls `refresh` every `intervalMs` while `active` (not at once: the data is fresh when it becomes active). */
export function useRefreshWhile(active: boolean, refresh: () => void, intervalMs: number): void {
  useEffect(() => {
    if (!active) return;
    const t = setInterval(refresh, intervalMs);
    return () => clearInterval(t);
  }, [active, refresh, intervalMs]);
}
