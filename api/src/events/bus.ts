// Lumen's event bus: usage and change events for GraphQL subscriptions, cache
// invalidations for /v1's key cache, and access losses that make open subscriptions
// check their viewer again. In-process by default; with REDIS_URL, events
// travel through Redis pub/sub so every instance sees what any instance did.
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';

export type ClientChange = 'METERED' | 'KEY_CREATED' | 'KEY_REVOKED' | 'CONSENT_GRANTED' | 'POOL_CHANGED' | 'ACCESS_CHANGED' | 'REFILLED';

/** Something changed the usage, pool, keys or model access of a client (or of a user's personal account). */
export interface OwnerChangeEvent {
  change: ClientChange;
  clientId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  modelId: string | null;
  at: string;
}

/** Whatever a key check may have cached is stale (a key revoked, a client deactivated, access changed). */
export interface InvalidationEvent {
  reason: string;
  at: string;
}

/** Someone may have lost access: removed as a manager, deactivated, demoted, or a session or token ended. */
export interface AccessLossEvent {
  userId: string;
  reason: string;
  at: string;
}

const INVALIDATE = 'lumen:invalidate';
const ACCESS_LOST = 'lumen:access-lost';
const ownerTopic = (e: { clientId: string | null; userId: string | null }) => `lumen:owner:${e.clientId ? `client:${e.clientId}` : `user:${e.userId}`}`;

// An EventTarget is the whole bus: in-process as it is, or Redis-backed by the
// Guild's redis-event-target, which publishes each event's `detail` to a channel.
let target: EventTarget = new EventTarget();
let redisClients: Redis[] = [];
const invalidationListeners = new Set<(event: InvalidationEvent) => void>();
const accessLossListeners = new Set<(event: AccessLossEvent) => void>();
const listenerCounts = new Map<string, number>();

const onRemoteInvalidation = (event: Event) => {
  for (const listener of invalidationListeners) listener((event as CustomEvent<InvalidationEvent>).detail);
};
const onRemoteAccessLoss = (event: Event) => {
  for (const listener of accessLossListeners) listener((event as CustomEvent<AccessLossEvent>).detail);
};
/** The bus-wide channels every instance listens to, whatever subscriptions it has. */
function listenToBroadcasts(eventTarget: EventTarget): void {
  eventTarget.addEventListener(INVALIDATE, onRemoteInvalidation);
  eventTarget.addEventListener(ACCESS_LOST, onRemoteAccessLoss);
}
listenToBroadcasts(target);

/** Switches the bus to Redis (call once at start when REDIS_URL is set). */
export async function connectRedisBus(url: string): Promise<void> {
  const publishClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  redisClients = [publishClient, subscribeClient];
  target = createRedisEventTarget({ publishClient, subscribeClient });
  listenToBroadcasts(target);
}

export async function disconnectBus(): Promise<void> {
  await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
  redisClients = [];
  target = new EventTarget();
  listenToBroadcasts(target);
}

export function publishOwnerChange(event: Omit<OwnerChangeEvent, 'at'>): void {
  target.dispatchEvent(new CustomEvent(ownerTopic(event), { detail: { ...event, at: new Date().toISOString() } }));
}

/**
 * The changes of one client (or user) as an async iterable. The listener is
 * registered now, not on the first pull, so nothing published after this call is missed.
 */
export function subscribeOwnerChanges(owner: { clientId: string | null; userId: string | null }): AsyncIterableIterator<OwnerChangeEvent> {
  const topic = ownerTopic(owner);
  const eventTarget = target;
  const queue: OwnerChangeEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const listener = (event: Event) => {
    queue.push((event as CustomEvent<OwnerChangeEvent>).detail);
    wake?.();
  };
  eventTarget.addEventListener(topic, listener);
  listenerCounts.set(topic, (listenerCounts.get(topic) ?? 0) + 1);
  const finish = () => {
    if (done) return;
    done = true;
    eventTarget.removeEventListener(topic, listener);
    listenerCounts.set(topic, (listenerCounts.get(topic) ?? 1) - 1);
    wake?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      return queue.length > 0 ? { value: queue.shift()!, done: false } : { value: undefined, done: true };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
  };
}

/** How many live subscriptions listen to this client or user (for metrics, and tests that must wait for one). */
export function subscriberCount(owner: { clientId: string | null; userId: string | null }): number {
  return listenerCounts.get(ownerTopic(owner)) ?? 0;
}

export function publishInvalidation(reason: string): void {
  const event = { reason, at: new Date().toISOString() };
  // This instance forgets at once, before the caller answers; others hear it through Redis.
  for (const listener of invalidationListeners) listener(event);
  if (redisClients.length > 0) target.dispatchEvent(new CustomEvent(INVALIDATE, { detail: event }));
}

/** Local listeners (the key cache) hear every invalidation, from this instance or another. */
export function onInvalidation(listener: (event: InvalidationEvent) => void): () => void {
  invalidationListeners.add(listener);
  return () => invalidationListeners.delete(listener);
}

/**
 * Tells every instance that this user may have lost access, so that their open
 * subscriptions check it again. Publish after the change is committed.
 */
export function publishAccessLoss(userId: string, reason: string): void {
  const event = { userId, reason, at: new Date().toISOString() };
  for (const listener of accessLossListeners) listener(event);
  if (redisClients.length > 0) target.dispatchEvent(new CustomEvent(ACCESS_LOST, { detail: event }));
}

/** Local listeners (open subscriptions) hear every access loss, from this instance or another. */
export function onAccessLoss(listener: (event: AccessLossEvent) => void): () => void {
  accessLossListeners.add(listener);
  return () => accessLossListeners.delete(listener);
}
