// Whether the owner's keys can call each model of the Model Access table now: the status
// says what the rules and consent allow, these fields add the coin pool.
import { db } from '../db/current.ts';
import { callRefusal, callRefusalReason } from '../domain/callRefusal.ts';
import type { ModelAccessEntry } from '../domain/modelAccess.ts';
import type { CoinPool } from '../generated/prisma/client.ts';
import { batchLoader } from './batch.ts';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ModelCallRefusalEnum } from './enums.ts';
import { ModelAccessRef } from './modelAccess.ts';

// One query for the pools of every owner on the page (all the rows of one table share one).
const poolsOf = batchLoader<CoinPool | null>(async (keys) => {
  const ids = (kind: string) => keys.filter((k) => k.startsWith(`${kind}:`)).map((k) => k.slice(kind.length + 1));
  const pools = await db().coinPool.findMany({ where: { OR: [{ clientId: { in: ids('client') } }, { userId: { in: ids('user') } }] } });
  return new Map(pools.map((pool) => [pool.clientId ? `client:${pool.clientId}` : `user:${pool.userId}`, pool]));
}, null);

async function refusalOf(entry: ModelAccessEntry, ctx: Context) {
  const key = entry.owner.clientId ? `client:${entry.owner.clientId}` : `user:${entry.owner.userId}`;
  return callRefusal(entry, await poolsOf(ctx, key));
}

builder.objectFields(ModelAccessRef, (t) => ({
  callable: t.boolean({
    description: "Whether a call with the owner's keys is admitted now: the status allows it and the coin pool can pay.",
    resolve: async (entry, _args, ctx) => (await refusalOf(entry, ctx)) === null,
  }),
  refusal: t.field({
    type: ModelCallRefusalEnum,
    nullable: true,
    description: 'Why every call is refused now; null when calls are admitted.',
    resolve: (entry, _args, ctx) => refusalOf(entry, ctx),
  }),
  refusalReason: t.string({
    nullable: true,
    description: 'The refusal in words, naming the page where it can be fixed (the Profile page, or the page an admin opens).',
    resolve: async (entry, _args, ctx) => callRefusalReason(entry, await refusalOf(entry, ctx)),
  }),
}));
