import { useMemo, useState } from 'react';

export type SortDirection = 'asc' | 'desc';
export type SortValue = string | number | null | undefined;
export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

/**
 * Client-side sorting of table rows. `accessors` maps a column key to the value to sort by;
 * empty values (null/undefined) always sort last. Pass `accessors` as a module-level constant
 * (or memoized): a new object on every render would sort on every render.
 */
export function useSortedRows<T, K extends string>(
  rows: readonly T[],
  accessors: Record<K, (row: T) => SortValue>,
  initial: SortState<NoInfer<K>>,
) {
  const [sort, setSort] = useState<SortState<K>>(initial);
  const sorted = useMemo(() => {
    const get = accessors[sort.key];
    const factor = sort.direction === 'asc' ? 1 : -1;
    return [...rows].sort((a, b) => {
      const va = get(a);
      const vb = get(b);
      if (va == null && vb == null) return 0;
      if (va == null) return 1;
      if (vb == null) return -1;
      if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * factor;
      return String(va).localeCompare(String(vb), undefined, { numeric: true, sensitivity: 'base' }) * factor;
    });
  }, [rows, sort, accessors]);
  const toggle = (key: K) =>
    setSort((s) =>
      s.key === key ? { key, direction: s.direction === 'asc' ? 'desc' : 'asc' } : { key, direction: defaultDirection(key) },
    );
  return { sorted, sort, toggle };
}

// Text columns start A→Z; counters and dates start with the biggest/latest.
function defaultDirection(key: string): SortDirection {
  return ['name', 'model', 'hint', 'access', 'status', 'email'].includes(key) ? 'asc' : 'desc';
}
