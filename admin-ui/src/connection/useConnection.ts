import { useCallback, useContext, useSyncExternalStore } from 'react';
import { Context } from 'urql';
import { connectionMonitorOf } from '../urql';
import type { ConnectionState } from './monitor';

const HEALTHY: ConnectionState = { unreachable: false, liveLost: false, staleSince: null, retrying: false };
const noSubscription = () => () => {};
const healthy = () => HEALTHY;

/**
 * Whether the page hears from Lumen, and Retry. Outside an urql Provider (a component shown
 * on its own), or with a client createLumenClient did not make, all is well.
 */
export function useConnection(): ConnectionState & { stale: boolean; retry: () => void } {
  const monitor = connectionMonitorOf(useContext(Context));
  const state = useSyncExternalStore(monitor?.subscribe ?? noSubscription, monitor?.getSnapshot ?? healthy);
  const retry = useCallback(() => monitor?.retry(), [monitor]);
  return { ...state, stale: state.unreachable || state.liveLost, retry };
}
