// The Model Access table: each model's status for a client (or the viewer), with usage.
import { exact } from '../domain/coins.ts';
import type { ModelAccessEntry } from '../domain/modelAccess.ts';
import { NO_USAGE } from '../domain/usage.ts';
import { builder } from './builder.ts';
import { AccessSettingEnum, ModelAccessStatusEnum } from './enums.ts';
import { ModelRef } from './model.ts';
import { UsageRef } from './usage.ts';

export const ModelAccessRef = builder.objectRef<ModelAccessEntry>('ModelAccess').implement({
  fields: (t) => ({
    model: t.field({ type: ModelRef, resolve: (e) => e.model }),
    status: t.field({ type: ModelAccessStatusEnum, resolve: (e) => e.status }),
    setting: t.field({ type: AccessSettingEnum, resolve: (e) => e.rule ?? 'DEFAULT' }),
    consentedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.consentedAt }),
    usage: t.field({
      type: UsageRef,
      resolve: (e) => (e.usage ? { ...e.usage, coinsSpent: exact(e.usage.coinsSpent) } : NO_USAGE),
    }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.usage?.lastUsedAt ?? null }),
  }),
});
