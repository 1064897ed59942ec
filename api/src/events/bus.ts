// Lumen's event bus: usage and change events for GraphQL subscriptions, and cache
// invalidations for /v1's key cache. In-process by default; with REDIS_URL, events
// travel through Redis pub/sub so every instance sees what any instance did.
import { createPubSub } from 'graphql-yoga';
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

type Topics = {
  'owner-change': [ownerKey: string, event: OwnerChangeEvent];
  invalidate: [event: InvalidationEvent];
};

const ownerKey = (e: { clientId: string | null; userId: string | null }) => (e.clientId ? `client:${e.clientId}` : `user:${e.userId}`);

let pubsub = createPubSub<Topics>();
let redisClients: Redis[] = [];
const invalidationListeners = new Set<(event: InvalidationEvent) => void>();
let invalidationLoop: AbortController | null = null;

function listenForInvalidations() {
  invalidationLoop?.abort();
  const controller = new AbortController();
  invalidationLoop = controller;
  const iterator = pubsub.subscribe('invalidate')[Symbol.asyncIterator]();
  controller.signal.addEventListener('abort', () => void iterator.return?.());
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done || controller.signal.aborted) return;
      for (const listener of invalidationListeners) listener(next.value);
    }
  })();
}
listenForInvalidations();

/** Switches the bus to Redis (call once at start when REDIS_URL is set). */
export async function connectRedisBus(url: string): Promise<void> {
  const publishClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  redisClients = [publishClient, subscribeClient];
  pubsub = createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  listenForInvalidations();
}

export async function disconnectBus(): Promise<void> {
  invalidationLoop?.abort();
  await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
  redisClients = [];
  pubsub = createPubSub<Topics>();
  listenForInvalidations();
}

export function publishOwnerChange(event: Omit<OwnerChangeEvent, 'at'>): void {
  pubsub.publish('owner-change', ownerKey(event), { ...event, at: new Date().toISOString() });
}

export function subscribeOwnerChanges(owner: { clientId: string | null; userId: string | null }) {
  return pubsub.subscribe('owner-change', ownerKey(owner));
}

export function publishInvalidation(reason: string): void {
  const event = { reason, at: new Date().toISOString() };
  // This instance forgets at once, before the caller answers; others hear it through the bus.
  for (const listener of invalidationListeners) listener(event);
  pubsub.publish('invalidate', event);
}

/** Local listeners (the key cache) hear every invalidation, from this instance or another. */
export function onInvalidation(listener: (event: InvalidationEvent) => void): () => void {
  invalidationListeners.add(listener);
  return () => invalidationListeners.delete(listener);
}
