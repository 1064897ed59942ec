// Whether the owner's keys can call each model of the Model Access table now: the status
// says what the rules and consent allow, these fields add the coin pool.
import { callRefusal, callRefusalReason } from '../domain/callRefusal.ts';
import type { ModelAccessEntry } from '../domain/modelAccess.ts';
import { builder } from './builder.ts';
import { ModelCallRefusalEnum } from './enums.ts';
import { ModelAccessRef } from './modelAccess.ts';
import { ownerPool } from './poolLoader.ts';

// The entries of one table share their owner object, so one pool read serves them all and the coinPool card.
const refusalOf = async (entry: ModelAccessEntry) => callRefusal(entry, await ownerPool(entry.owner));

builder.objectFields(ModelAccessRef, (t) => ({
  callable: t.boolean({
    description: "Whether a call with the owner's keys is admitted now: the status allows it and the coin pool can pay.",
    resolve: async (entry) => (await refusalOf(entry)) === null,
  }),
  refusal: t.field({
    type: ModelCallRefusalEnum,
    nullable: true,
    description: 'Why every call is refused now; null when calls are admitted.',
    resolve: (entry) => refusalOf(entry),
  }),
  refusalReason: t.string({
    nullable: true,
    description: 'The refusal in words, naming the page where it can be fixed (the Profile page, or the page an admin opens).',
    resolve: async (entry) => callRefusalReason(entry, await refusalOf(entry)),
  }),
}));
