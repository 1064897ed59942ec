// Lumen's event bus: usage and change events for GraphQL subscriptions, cache
// invalidations for /v1's key cache, and access losses that make open subscriptions
// check their viewer again. In-process by default; with REDIS_URL, events also
// travel through Redis pub/sub so every instance sees what any instance did.
//
// Redis may go away at any time (events/redis.ts). So an event always reaches this
// instance's own subscribers directly, and goes to Redis as well, tagged with this
// instance's id; what comes back from Redis with that id is ignored. Each event is
// therefore delivered here exactly once, whatever Redis does. While this instance
// cannot hear Redis it polls a counter in PostgreSQL for invalidations
// (invalidationCounter.ts); when it hears Redis again, every open subscription gets
// a RESYNC (it may have missed other instances' events) and caches are emptied.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { log } from '../log.ts';
import { bumpInvalidationCounter, pollInvalidationCounter } from './invalidationCounter.ts';
import { closeRedisClient, connectOrCarryOn, redisClient } from './redis.ts';
import type { ClientChange } from '../domain/ownerChanges.ts';

export { redisStatus } from './redis.ts';

/** Something changed the usage, pool, keys or model access of a client (or of a user's personal account). */
export interface OwnerChangeEvent {
  change: ClientChange;
  clientId: string | null;
  userId: string | null;
  apiKeyId: string | null;
  modelId: string | null;
  /** METERED: how many requests this event covers (one event per settlement batch and owner, key and model); 0 otherwise. */
  requests: number;
  at: string;
}

/** Another instance needs the coins this instance holds leased from a pool (domain/leases.ts). */
export interface LeaseRecallEvent {
  poolId: string;
  at: string;
}

/** Whatever a key check may have cached is stale (a key revoked, a client deactivated, access changed). */
export interface InvalidationEvent {
  reason: string;
  at: string;
}

/** Someone may have lost access: removed as a manager, deactivated, demoted, or a session or token ended. */
export interface AccessLossEvent {
  /** null: anyone may have (events were missed while Redis was down); every subscription checks its viewer. */
  userId: string | null;
  reason: string;
  at: string;
}

type Owner = { clientId: string | null; userId: string | null };

/** What travels through Redis: the event and the instance that published it. */
interface Envelope<T> {
  origin: string;
  detail: T;
}

const INVALIDATE = 'lumen:invalidate';
const ACCESS_LOST = 'lumen:access-lost';
/** An instance that could not publish for a while says so when it can again: the others resync. */
const RESYNC = 'lumen:resync';
const LEASE_RECALL = 'lumen:lease-recall';
const ownerTopic = (e: Owner) => `lumen:owner:${e.clientId ? `client:${e.clientId}` : `user:${e.userId}`}`;

const instanceId = randomUUID();
/** This instance's subscribers, always reached directly. */
const local = new EventTarget();

interface RedisBus {
  /** The Guild's redis-event-target, for receiving: one SUBSCRIBE per topic, however many listeners. */
  target: EventTarget;
  publisher: Redis;
  subscriber: Redis;
  stopPolling: (() => void) | null;
  /** A publish failed since the publisher was last ready: the others missed something of ours. */
  missedPublish: boolean;
}
let redis: RedisBus | null = null;

const invalidationListeners = new Set<(event: InvalidationEvent) => void>();
const accessLossListeners = new Set<(event: AccessLossEvent) => void>();
const leaseRecallListeners = new Set<(event: LeaseRecallEvent) => void>();
/** Open subscriptions per topic, with their owner (for metrics, tests, and RESYNC). */
const topics = new Map<string, { owner: Owner; count: number }>();

const now = () => new Date().toISOString();

function runListeners<T>(listeners: Set<(event: T) => void>, event: T): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (error) {
      log.error({ err: error }, 'an event listener failed');
    }
  }
}

/** The events of other instances (ours came directly); anything else on the channel is ignored. */
function foreign<T>(event: Event): T | null {
  const envelope = (event as CustomEvent<Envelope<T> | null>).detail;
  if (!envelope || typeof envelope !== 'object' || envelope.origin === instanceId || !('detail' in envelope)) return null;
  return envelope.detail;
}

function publishToRedis(topic: string, detail: unknown): void {
  const bus = redis;
  if (!bus) return;
  const envelope: Envelope<unknown> = { origin: instanceId, detail };
  // Fails at once while Redis is down (no offline queue): the event has reached this
  // instance's subscribers; the others will resync when they hear this instance again.
  bus.publisher.publish(topic, JSON.stringify(envelope)).catch(() => {
    bus.missedPublish = true;
  });
}

/** Everything that may have been missed: caches emptied, every viewer checked, every subscription told to refetch. */
function resync(reason: string, { subscriptions }: { subscriptions: boolean }): void {
  runListeners(invalidationListeners, { reason, at: now() });
  runListeners(accessLossListeners, { userId: null, reason, at: now() });
  if (!subscriptions) return;
  for (const [topic, { owner }] of topics) {
    const event: OwnerChangeEvent = { change: 'RESYNC', ...owner, apiKeyId: null, modelId: null, requests: 0, at: now() };
    local.dispatchEvent(new CustomEvent(topic, { detail: event }));
  }
}

/** Switches the bus to Redis (call once at start when REDIS_URL is set). Starts even if Redis is down now. */
export async function connectRedisBus(url: string): Promise<void> {
  const publisher = await redisClient(url, { name: 'publisher', failFast: true });
  const subscriber = await redisClient(url, { name: 'subscriber', failFast: false });
  const { createRedisEventTarget } = await import('@graphql-yoga/redis-event-target');
  const target = createRedisEventTarget({
    publishClient: publisher,
    subscribeClient: subscriber,
    // A message that is not JSON (anyone with access to Redis can publish) is dropped, not thrown in ioredis's event handler.
    serializer: {
      stringify: JSON.stringify,
      parse: (message: string) => {
        try {
          return JSON.parse(message);
        } catch {
          return null;
        }
      },
    },
  });
  const bus: RedisBus = { target, publisher, subscriber, stopPolling: null, missedPublish: false };
  redis = bus;

  target.addEventListener(INVALIDATE, (event) => {
    const detail = foreign<InvalidationEvent>(event);
    if (detail) runListeners(invalidationListeners, detail);
  });
  target.addEventListener(ACCESS_LOST, (event) => {
    const detail = foreign<AccessLossEvent>(event);
    if (detail) runListeners(accessLossListeners, detail);
  });
  target.addEventListener(LEASE_RECALL, (event) => {
    const detail = foreign<LeaseRecallEvent>(event);
    if (detail && typeof detail.poolId === 'string') runListeners(leaseRecallListeners, detail);
  });
  target.addEventListener(RESYNC, (event) => {
    if (foreign(event)) resync('another instance was cut off from Redis', { subscriptions: true });
  });

  // Deaf to Redis: poll PostgreSQL for invalidations until the subscriber is back.
  const startPolling = () => {
    if (redis !== bus || bus.stopPolling) return;
    bus.stopPolling = pollInvalidationCounter(() => resync('invalidation counter moved while Redis is down', { subscriptions: false }));
  };
  subscriber.on('close', startPolling);
  subscriber.on('ready', () => {
    if (!bus.stopPolling) return; // the first connection: nothing was missed
    // ioredis has sent the SUBSCRIBEs again (autoResubscribe) before this listener runs;
    // the PING's answer comes after theirs, so from then on other instances' events arrive.
    subscriber.ping().then(
      () => {
        if (redis !== bus || subscriber.status !== 'ready' || !bus.stopPolling) return;
        bus.stopPolling();
        bus.stopPolling = null;
        resync('Redis is reachable again', { subscriptions: true });
      },
      () => undefined, // cut off again: 'close' keeps polling, the next 'ready' tries again
    );
  });
  publisher.on('ready', () => {
    if (!bus.missedPublish) return;
    bus.missedPublish = false;
    publishToRedis(RESYNC, { at: now() });
  });

  await Promise.all([connectOrCarryOn(publisher), connectOrCarryOn(subscriber)]);
  if (subscriber.status !== 'ready') startPolling();
}

export async function disconnectBus(): Promise<void> {
  const bus = redis;
  if (!bus) return;
  redis = null;
  bus.stopPolling?.();
  await Promise.all([closeRedisClient(bus.publisher), closeRedisClient(bus.subscriber)]);
}

export function publishOwnerChange(event: Omit<OwnerChangeEvent, 'at' | 'requests'> & { requests?: number }): void {
  const detail: OwnerChangeEvent = { ...event, requests: event.requests ?? 0, at: now() };
  const topic = ownerTopic(event);
  local.dispatchEvent(new CustomEvent(topic, { detail }));
  publishToRedis(topic, detail);
}

/**
 * The changes of one client (or user) as an async iterable. The listener is
 * registered now, not on the first pull, so nothing published after this call is missed.
 */
export function subscribeOwnerChanges(owner: Owner): AsyncIterableIterator<OwnerChangeEvent> {
  const topic = ownerTopic(owner);
  const remote = redis?.target ?? null;
  const queue: OwnerChangeEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const push = (event: OwnerChangeEvent) => {
    queue.push(event);
    wake?.();
  };
  const onLocal = (event: Event) => push((event as CustomEvent<OwnerChangeEvent>).detail);
  const onRemote = (event: Event) => {
    const detail = foreign<OwnerChangeEvent>(event);
    if (detail) push(detail);
  };
  local.addEventListener(topic, onLocal);
  remote?.addEventListener(topic, onRemote);
  const entry = topics.get(topic) ?? { owner: { clientId: owner.clientId, userId: owner.userId }, count: 0 };
  entry.count++;
  topics.set(topic, entry);
  const finish = () => {
    if (done) return;
    done = true;
    local.removeEventListener(topic, onLocal);
    remote?.removeEventListener(topic, onRemote);
    if (--entry.count === 0) topics.delete(topic);
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
export function subscriberCount(owner: Owner): number {
  return topics.get(ownerTopic(owner))?.count ?? 0;
}

/**
 * This instance's listeners hear it at once, before the caller answers; the others hear
 * it through Redis, or through the invalidation counter while Redis is down.
 */
function broadcast<E>(listeners: Set<(event: E) => void>, channel: string, event: E): void {
  runListeners(listeners, event);
  publishToRedis(channel, event);
  void bumpInvalidationCounter();
}

export function publishInvalidation(reason: string): void {
  broadcast(invalidationListeners, INVALIDATE, { reason, at: now() });
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
  broadcast(accessLossListeners, ACCESS_LOST, { userId, reason, at: now() });
}

/** Local listeners (open subscriptions) hear every access loss, from this instance or another. */
export function onAccessLoss(listener: (event: AccessLossEvent) => void): () => void {
  accessLossListeners.add(listener);
  return () => accessLossListeners.delete(listener);
}

/**
 * Asks the other instances to give back their leases of this pool (one that ran short here);
 * without Redis there are no others. Not through the invalidation counter: a lost recall
 * only delays coins until the lease goes idle.
 */
export function publishLeaseRecall(poolId: string): void {
  publishToRedis(LEASE_RECALL, { poolId, at: now() } satisfies LeaseRecallEvent);
}

export function onLeaseRecall(listener: (event: LeaseRecallEvent) => void): () => void {
  leaseRecallListeners.add(listener);
  return () => leaseRecallListeners.delete(listener);
}
