import type { Dispatch, SetStateAction } from 'react';

/**
 * Previous / Next for a forward-only Relay connection. `cursors` are the `after` cursors of the
 * pages seen so far (the first is null), so "Previous" goes back by dropping the last one.
 * Nothing is shown while there is only one page.
 */
export function Pager({
  cursors,
  setCursors,
  pageInfo,
}: {
  cursors: readonly (string | null)[];
  setCursors: Dispatch<SetStateAction<(string | null)[]>>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}) {
  if (cursors.length <= 1 && !pageInfo.hasNextPage) return null;
  return (
    <nav className="pagination" aria-label="Pages">
      <button type="button" className="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
        ← Previous
      </button>
      <span className="muted">Page {cursors.length}</span>
      <button
        type="button"
        className="button"
        disabled={!pageInfo.hasNextPage || !pageInfo.endCursor}
        onClick={() => setCursors((c) => [...c, pageInfo.endCursor ?? null])}
      >
        Next →
      </button>
    </nav>
  );
}
