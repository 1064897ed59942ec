// One query for a list: a field asked for each row of a list (every user's last sign-in,
// every pool's largest reservation) would otherwise cost a query per row. The keys asked
// for while one request's rows resolve are collected and loaded together. Nothing is
// cached afterwards: a subscription's context outlives many events, each of which must read afresh.
import type { Context } from './context.ts';

interface Pending<V> {
  keys: Map<string, { resolve: (value: V) => void; reject: (error: unknown) => void }[]>;
}

/** `load` answers for the keys it is given; keys it leaves out get `missing`. */
export function batchLoader<V>(load: (keys: string[]) => Promise<Map<string, V>>, missing: V) {
  const pendingOf = new WeakMap<Context, Pending<V>>();
  return (ctx: Context, key: string): Promise<V> =>
    new Promise<V>((resolve, reject) => {
      let pending = pendingOf.get(ctx);
      if (!pending) {
        const batch: Pending<V> = { keys: new Map() };
        pending = batch;
        pendingOf.set(ctx, batch);
        // setImmediate, not a microtask: the rows' auth scopes are awaited one by one before their resolvers run.
        setImmediate(() => {
          pendingOf.delete(ctx);
          load([...batch.keys.keys()]).then(
            (values) => batch.keys.forEach((waiting, k) => waiting.forEach((w) => w.resolve(values.has(k) ? values.get(k)! : missing))),
            (error: unknown) => batch.keys.forEach((waiting) => waiting.forEach((w) => w.reject(error))),
          );
        });
      }
      const waiting = pending.keys.get(key) ?? [];
      waiting.push({ resolve, reject });
      pending.keys.set(key, waiting);
    });
}
