// The two urql exchanges that feed the connection monitor, and the refetch behind Retry.
import { makeOperation, mapExchange, type Client, type CombinedError, type Operation } from 'urql';
import type { ConnectionMonitor } from './monitor';

/** Queries remembered for Retry; the client ignores re-running one no page shows any more. */
const REMEMBERED = 200;

/**
 * In front of the cache, what pages show: the queries they ask for (cache hits included, since
 * those show cached figures too), so that Retry, and the live socket coming back after a drop,
 * can fetch all of them again; and each query's last data, which a query that cannot reach
 * Lumen keeps showing (marked stale by the pages) instead of going blank.
 */
export function pageQueries() {
  const queries = new Map<number, Operation>();
  const lastData = new Map<number, unknown>();
  const remember = <V>(map: Map<number, V>, key: number, value: V) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > REMEMBERED) map.delete(map.keys().next().value!);
  };
  const exchange = mapExchange({
    onOperation(operation) {
      if (operation.kind === 'query') remember(queries, operation.key, operation);
    },
    onResult(result) {
      if (result.operation.kind !== 'query') return;
      const key = result.operation.key;
      if (result.data) remember(lastData, key, result.data);
      else if (unreachable(result.error) && lastData.has(key)) return { ...result, data: lastData.get(key), stale: true };
    },
  });
  /** Fetches every query a page still shows from the network (`reexecuteOperation` skips the others). */
  const refetch = (client: Client) => {
    for (const operation of queries.values()) {
      client.reexecuteOperation(makeOperation('query', operation, { ...operation.context, requestPolicy: 'network-only' }));
    }
  };
  return { exchange, refetch };
}

/** No answer from Lumen itself: the request failed, or a proxy answered 5xx in its place. */
function unreachable(error: CombinedError | undefined): boolean {
  if (!error?.networkError) return false;
  const status = (error.response as { status?: number } | undefined)?.status;
  return status === undefined || status >= 500;
}

/** Behind the cache (so only what went over the network counts): whether queries and mutations reach the API. */
export function reachabilityExchange(monitor: ConnectionMonitor) {
  return mapExchange({
    onResult(result) {
      const kind = result.operation.kind;
      if (kind !== 'query' && kind !== 'mutation') return;
      if (unreachable(result.error)) monitor.requestFailed();
      else monitor.requestSucceeded();
    },
  });
}
