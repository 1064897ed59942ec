// A subscription outlives the request that opened it, and access can end sooner: a
// manager removed, a user deactivated or demoted, a session signed out, a token
// revoked or expired. So an open subscription keeps a verdict on its viewer and
// checks it again when the bus says that viewer may have lost access (from any
// instance), when its credential expires, and at least every minute (which bounds
// what a change made outside the API, such as the CLI on another database connection,
// leaves unnoticed); an ordinary event costs no query. A viewer who lost access gets
// an error that ends the subscription.
import { onAccessLoss } from '../events/bus.ts';
import { holderOf, type Credential } from './auth.ts';
import { DomainError } from './errors.ts';
import { PermissionCache } from './permissions.ts';

/** Who watches, with what, and (for a client's usage) which client. */
export interface Watcher {
  viewerId: string;
  credential: Credential | null;
  clientId?: string;
}

interface Verdict {
  denial: Error | null;
  /** When (ms) the verdict must be checked again: the credential's expiry, or a minute from now; null once denied. */
  until: number | null;
}

/** The longest a verdict stands without a check, like /v1's key cache. */
const LIFETIME_MS = 60_000;

async function verdictOn(watcher: Watcher): Promise<Verdict> {
  const holder = watcher.credential ? await holderOf(watcher.credential) : null;
  if (!holder || holder.viewer.id !== watcher.viewerId) {
    const message =
      'Your session or admin-API token has ended (signed out, revoked, expired, or the account deactivated); sign in again to follow this usage';
    return { denial: new DomainError('UNAUTHENTICATED', message), until: null };
  }
  if (watcher.clientId && !(await new PermissionCache(holder.viewer).can('view', watcher.clientId))) {
    const message =
      'You no longer have access to this client (no longer its manager or an admin); ask an admin to add you as a manager to follow its usage';
    return { denial: new DomainError('FORBIDDEN', message), until: null };
  }
  return { denial: null, until: Math.min(holder.until?.getTime() ?? Infinity, Date.now() + LIFETIME_MS) };
}

/**
 * The source's events for as long as the watcher may see them; then the iterator
 * throws FORBIDDEN or UNAUTHENTICATED (which GraphQL over SSE and WebSocket both
 * deliver as an error) and closes the source.
 */
export function whileAllowed<T>(source: AsyncIterator<T>, watcher: Watcher): AsyncIterableIterator<T> {
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  let denied: Error | null = null;
  // Wakes the next() that waits for an event, once access is lost.
  let interrupt: ((denial: Error) => void) | null = null;
  const refuse = (denial: Error) => {
    denied = denial;
    interrupt?.(denial);
  };

  let verdict: Promise<Verdict>;
  const check = (): Promise<Verdict> => {
    // A failed check denies: better a dashboard that reconnects than events for someone who lost access.
    const pending = verdictOn(watcher).catch((error: unknown) => ({
      denial: error instanceof Error ? error : new Error(String(error)),
      until: null,
    }));
    verdict = pending;
    void pending.then(({ denial, until }) => {
      if (ended || verdict !== pending) return; // a later check decides
      if (denial) refuse(denial);
      else expireAt(until);
    });
    return pending;
  };
  const expireAt = (until: number | null) => {
    clearTimeout(timer);
    if (until === null) return;
    timer = setTimeout(check, Math.max(until - Date.now(), 0));
    timer.unref();
  };
  const stopListening = onAccessLoss((event) => {
    // null: the bus may have missed access losses (Redis was down), so every viewer is checked.
    if (event.userId === null || event.userId === watcher.viewerId) check();
  });
  // Checked once now as well: access lost between the request's authorization and this listener counts too.
  check();

  const close = async () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    stopListening();
    await source.return?.();
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (ended) return { value: undefined, done: true };
      try {
        if (denied) throw denied;
        const item = await new Promise<IteratorResult<T>>((resolve, reject) => {
          interrupt = reject;
          source.next().then(resolve, reject);
        }).finally(() => (interrupt = null));
        if (item.done) {
          await close();
          return item;
        }
        let current = await verdict;
        // The verdict's time is up (the credential expired) and the timer has not fired yet.
        if (!current.denial && current.until !== null && current.until <= Date.now()) current = await check();
        if (current.denial) throw current.denial;
        return item;
      } catch (error) {
        await close();
        throw error;
      }
    },
    async return() {
      await close();
      return { value: undefined, done: true };
    },
  };
}
