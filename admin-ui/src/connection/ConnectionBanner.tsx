import { formatTime } from '../lib/format';
import { useConnection } from './useConnection';

/**
 * Says so when Lumen cannot be reached or live updates stopped, from when the figures on the
 * page are, and offers Retry. Nothing while all is well.
 */
export function ConnectionBanner() {
  const connection = useConnection();
  if (!connection.stale) return null;
  const since = connection.staleSince ? formatTime(connection.staleSince) : null;
  return (
    <div className="alert alert-warning connection-banner" role="alert">
      <p>
        <strong>{connection.unreachable ? 'Lumen cannot be reached.' : 'Live updates stopped: the connection to Lumen dropped.'}</strong>{' '}
        {connection.unreachable ? 'Changes cannot be saved until it is back. ' : ''}
        {since ? `The figures shown are from ${since} and may be out of date.` : 'The figures shown may be out of date.'}
      </p>
      <button type="button" className="button button-small" onClick={connection.retry} disabled={connection.retrying}>
        {connection.retrying ? 'Retrying…' : 'Retry'}
      </button>
    </div>
  );
}
