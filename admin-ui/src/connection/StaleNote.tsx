import { formatTime } from '../lib/format';
import { useConnection } from './useConnection';

/**
 * Under a set of figures while Lumen is not heard from: they are the last known ones, not
 * current. `id` lets the figures point at it (aria-describedby). Nothing while all is well.
 */
export function StaleNote({ id }: { id?: string }) {
  const { stale, staleSince } = useConnection();
  if (!stale) return null;
  return (
    <p id={id} className="stale-note">
      Not live: last known figures{staleSince ? `, from ${formatTime(staleSince)}` : ''}.
    </p>
  );
}
