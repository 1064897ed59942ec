// The live socket against a stand-in WebSocket that plays the server's part (graphql-transport-ws):
// a drop shows as lost, Retry reconnects at once, the subscription carries on over the new
// socket, and the pages are told to fetch again; the lazy close after the last subscription is
// no drop.
import { describe, expect, it, vi } from 'vitest';
import { liveSubscriptions } from './liveSocket';
import { ConnectionMonitor } from './monitor';

class ServerSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static opened: ServerSocket[] = [];
  readyState = ServerSocket.CONNECTING;
  protocol = 'graphql-transport-ws';
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Ids of the subscriptions started on this socket. */
  subscriptions: string[] = [];

  constructor(readonly url: string) {
    ServerSocket.opened.push(this);
    setTimeout(() => {
      this.readyState = ServerSocket.OPEN;
      this.onopen?.({});
    });
  }

  send(data: string) {
    const message = JSON.parse(data) as { type: string; id?: string };
    if (message.type === 'connection_init') this.reply({ type: 'connection_ack' });
    if (message.type === 'subscribe') this.subscriptions.push(message.id!);
  }

  reply(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  close(code = 1000, reason = '') {
    if (this.readyState === ServerSocket.CLOSED) return;
    this.readyState = ServerSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: code === 1000 });
  }
}

describe('liveSubscriptions', () => {
  it('reports a drop, reconnects on Retry, carries the subscription over and asks the pages to fetch again', async () => {
    ServerSocket.opened = [];
    const monitor = new ConnectionMonitor();
    const resyncs = vi.fn();
    monitor.onResync(resyncs);
    const forward = liveSubscriptions({
      url: 'ws://lumen.test/graphql',
      connectionParams: { 'x-lumen-csrf': '1' },
      monitor,
      webSocketImpl: ServerSocket,
    });
    const events: unknown[] = [];
    const request = { query: 'subscription { viewerUsage { change } }', variables: {} };
    const subscription = forward(request as never, undefined as never).subscribe({
      next: (value: unknown) => events.push(value),
      error: () => {},
      complete: () => {},
    } as never);

    await vi.waitFor(() => expect(ServerSocket.opened[0]?.subscriptions).toHaveLength(1));
    const first = ServerSocket.opened[0];
    first.reply({ type: 'next', id: first.subscriptions[0], payload: { data: { viewerUsage: { change: 'METERED' } } } });
    expect(events).toEqual([{ data: { viewerUsage: { change: 'METERED' } } }]);
    expect(monitor.getSnapshot()).toMatchObject({ liveLost: false, staleSince: null });
    expect(resyncs).not.toHaveBeenCalled();

    // The server goes away: lost, with the time the figures are from.
    const before = Date.now();
    first.close(1006, 'gone');
    expect(monitor.getSnapshot().liveLost).toBe(true);
    expect(monitor.getSnapshot().staleSince).toBeLessThanOrEqual(before);

    // Retry does not wait for the back-off: a new socket, the same subscription on it.
    monitor.retry();
    await vi.waitFor(() => expect(ServerSocket.opened[1]?.subscriptions).toHaveLength(1));
    expect(monitor.getSnapshot()).toMatchObject({ liveLost: false, staleSince: null, retrying: false });
    expect(resyncs).toHaveBeenCalledTimes(1);
    const second = ServerSocket.opened[1];
    second.reply({ type: 'next', id: second.subscriptions[0], payload: { data: { viewerUsage: { change: 'KEY_CREATED' } } } });
    expect(events).toHaveLength(2);

    // The last subscription ends: the socket closes lazily, which is no drop.
    subscription.unsubscribe();
    await vi.waitFor(() => expect(second.readyState).toBe(ServerSocket.CLOSED));
    expect(monitor.getSnapshot().liveLost).toBe(false);
  });
});
