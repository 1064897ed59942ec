// One query for a list: a field asked for each row of a list (every user's last sign-in,
// every pool's largest reservation) would otherwise cost a query per row. DataLoader collects
// the keys asked for while one request's rows resolve and loads them together. Nothing is
// cached: a subscription's context outlives many events, each of which must read afresh.
import DataLoader from 'dataloader';
import type { Context } from './context.ts';

/** `load` answers for the keys it is given; keys it leaves out get `missing`. */
export function batchLoader<V>(load: (keys: string[]) => Promise<Map<string, V>>, missing: V) {
  const loaders = new WeakMap<Context, DataLoader<string, V>>();
  const loaderFor = (ctx: Context) => {
    let loader = loaders.get(ctx);
    if (!loader) {
      loader = new DataLoader<string, V>(
        async (keys) => {
          const values = await load([...new Set(keys)]);
          return keys.map((key) => (values.has(key) ? values.get(key)! : missing));
        },
        // setImmediate, not the default microtask: the rows' auth scopes are awaited one by one before their resolvers run.
        { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
      );
      loaders.set(ctx, loader);
    }
    return loader;
  };
  return (ctx: Context, key: string): Promise<V> => loaderFor(ctx).load(key);
}
