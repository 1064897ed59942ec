// Whether the page still hears from Lumen: requests that cannot reach the API, and the live
// usage socket (graphql-ws) dropping, both mean the figures on screen stop being current.
// One monitor per urql client; the banner and the stale notes read it (useConnection).

export interface ConnectionState {
  /** The last request could not reach the API (network failure, or a gateway's 5xx page). */
  unreachable: boolean;
  /** The live-usage socket dropped while a page was listening, and has not connected again. */
  liveLost: boolean;
  /** While either is true: when Lumen was last heard from, so what the page shows is from then. */
  staleSince: number | null;
  /** A retry (the Retry button) is under way. */
  retrying: boolean;
}

const HEALTHY: ConnectionState = { unreachable: false, liveLost: false, staleSince: null, retrying: false };

export class ConnectionMonitor {
  private state = HEALTHY;
  private lastContact = Date.now();
  /** Retry was pressed and no reconnection attempt has started since: the next one starts at once. */
  private reconnectNow = false;
  private readonly listeners = new Set<() => void>();
  private readonly retryListeners = new Set<() => void>();
  private readonly resyncListeners = new Set<() => void>();

  /** For useSyncExternalStore: the same object until something changes. */
  readonly getSnapshot = (): ConnectionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** An answer came from the API (data or GraphQL errors: it is reachable). */
  requestSucceeded(): void {
    this.lastContact = Date.now();
    this.update({ unreachable: false, retrying: false });
  }

  /** A request did not reach the API. */
  requestFailed(): void {
    this.update({ unreachable: true, retrying: false });
  }

  /** The live socket closed (or failed to open) while subscriptions were open. */
  liveDropped(): void {
    this.update({ liveLost: true });
  }

  /** The live socket is up. After a drop, events may have been missed: every page fetches again. */
  liveConnected(afterDrop: boolean): void {
    this.lastContact = Date.now();
    this.reconnectNow = false;
    const wasLost = this.state.liveLost;
    this.update({ liveLost: false, retrying: this.state.unreachable && this.state.retrying });
    if (afterDrop || wasLost) this.resyncListeners.forEach((listener) => listener());
  }

  /** The Retry button: fetch the pages' queries again and reconnect the live socket now. */
  retry(): void {
    this.reconnectNow = true;
    this.update({ retrying: true });
    this.retryListeners.forEach((listener) => listener());
  }

  /** Called on every retry(). */
  onRetry(listener: () => void): () => void {
    this.retryListeners.add(listener);
    return () => this.retryListeners.delete(listener);
  }

  /** Called when the live socket is back after a drop (the pages should fetch again). */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /**
   * The live socket's wait before its next attempt to reconnect: `ms`, or less if Retry is
   * pressed meanwhile (or was, just before the wait began).
   */
  waitToReconnect(ms: number): Promise<void> {
    if (this.reconnectNow) {
      this.reconnectNow = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        this.reconnectNow = false;
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const stop = this.onRetry(done);
    });
  }

  private update(patch: Partial<ConnectionState>): void {
    const next = { ...this.state, ...patch };
    const down = next.unreachable || next.liveLost;
    next.staleSince = down ? (this.state.staleSince ?? this.lastContact) : null;
    if (!down) next.retrying = false;
    const current = this.state;
    if ((Object.keys(next) as (keyof ConnectionState)[]).every((key) => next[key] === current[key])) return;
    this.state = next;
    this.listeners.forEach((listener) => listener());
  }
}
