// A client's budget alerts: the webhook, its thresholds and the recent deliveries (seen by
// whoever sees the client: its managers and admins), and the mutation that sets them. The
// rules: domain/budgetAlerts.ts, budgetAlertCrossings.ts and budgetAlertDelivery.ts.
import {
  MAX_LISTED_DELIVERIES,
  MAX_THRESHOLDS,
  readBudgetAlertDeliveries,
  readBudgetAlertSettings,
  setClientBudgetAlerts,
} from '../domain/budgetAlerts.ts';
import { EVENT_TYPE } from '../domain/budgetAlertDelivery.ts';
import { db } from '../db/current.ts';
import type { BudgetAlertAttempt, BudgetAlertEvent, BudgetAlertThreshold } from '../generated/prisma/client.ts';
import { BudgetAlertStatus } from '../generated/prisma/enums.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';

const BudgetAlertStatusEnum = builder.enumType('BudgetAlertStatus', {
  values: {
    PENDING: { description: 'Not delivered yet: being sent, or waiting for its next attempt (nextAttemptAt).' },
    DELIVERED: { description: 'The webhook answered an attempt with a 2xx status.' },
    FAILED: { description: 'Given up: no attempt succeeded within 24 hours of the crossing.' },
    CANCELLED: { description: 'Not sent: the alerts were turned off before it was delivered.' },
  } satisfies Record<BudgetAlertStatus, unknown>,
});

const BudgetAlertThresholdRef = builder.objectRef<BudgetAlertThreshold>('BudgetAlertThreshold').implement({
  fields: (t) => ({
    percent: t.int({ description: "A percentage of the pool's capacity.", resolve: (r) => r.percent }),
    armed: t.boolean({
      description:
        'True until the balance falls below it (the alert is sent); then false until a refill or a pool change lifts the balance back to it.',
      resolve: (r) => r.firedAt === null,
    }),
    firedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it last fired, while it is not armed.',
      resolve: (r) => r.firedAt,
    }),
  }),
});

const BudgetAlertAttemptRef = builder.objectRef<BudgetAlertAttempt>('BudgetAlertAttempt').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (a) => a.attemptedAt }),
    httpStatus: t.int({
      nullable: true,
      description: "The webhook's answer; null when there was none (see error).",
      resolve: (a) => a.httpStatus,
    }),
    error: t.string({
      nullable: true,
      description: 'Why the attempt failed without an answer, or what was wrong with it.',
      resolve: (a) => a.error,
    }),
    durationMs: t.int({ resolve: (a) => a.durationMs }),
  }),
});

type DeliveryRow = BudgetAlertEvent & { deliveryAttempts: BudgetAlertAttempt[] };

const BudgetAlertDeliveryRef = builder.objectRef<DeliveryRow>('BudgetAlertDelivery').implement({
  description: `One crossing of a threshold and its webhook delivery (type "${EVENT_TYPE}").`,
  fields: (t) => ({
    eventId: t.string({
      description: 'The id in the body sent: the same at every attempt, for receivers to deduplicate.',
      resolve: (e) => e.id,
    }),
    thresholdPercent: t.int({ resolve: (e) => e.thresholdPercent }),
    balance: t.field({ type: 'Coins', description: 'The balance when the crossing was recorded.', resolve: (e) => e.balance }),
    capacity: t.field({ type: 'Coins', resolve: (e) => e.capacity }),
    at: t.field({ type: 'DateTime', description: 'When the crossing was recorded.', resolve: (e) => e.createdAt }),
    status: t.field({ type: BudgetAlertStatusEnum, resolve: (e) => e.status }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'PENDING only: when the next attempt is due.',
      resolve: (e) => (e.status === 'PENDING' ? e.nextAttemptAt : null),
    }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.deliveredAt }),
    attempts: t.field({ type: [BudgetAlertAttemptRef], description: 'Every attempt, oldest first.', resolve: (e) => e.deliveryAttempts }),
  }),
});

/** One client's alerts as a request sees them: the settings are read once, whatever fields ask. */
class ClientAlerts {
  private read: ReturnType<typeof readBudgetAlertSettings> | null = null;
  constructor(readonly clientId: string) {}
  settings() {
    return (this.read ??= readBudgetAlertSettings(this.clientId));
  }
}

const BudgetAlertsRef = builder.objectRef<ClientAlerts>('BudgetAlerts').implement({
  description:
    "Webhook alerts when the client's LIMITED pool falls below thresholds (percentages of its capacity), and their recent deliveries.",
  fields: (t) => ({
    enabled: t.boolean({ resolve: async (a) => (await a.settings()) !== null }),
    webhookUrl: t.string({ nullable: true, resolve: async (a) => (await a.settings())?.webhookUrl ?? null }),
    secretHint: t.string({
      nullable: true,
      description: 'The first and last characters of the signing secret, to recognise it (the secret itself is shown once).',
      resolve: async (a) => (await a.settings())?.secretHint ?? null,
    }),
    thresholds: t.field({
      type: [BudgetAlertThresholdRef],
      description: 'Highest first.',
      resolve: async (a) => (await a.settings())?.thresholds ?? [],
    }),
    deliveries: t.field({
      type: [BudgetAlertDeliveryRef],
      description: `The most recent crossings first (at most ${MAX_LISTED_DELIVERIES}), each with every attempt.`,
      args: { first: t.arg.int({ defaultValue: 20 }) },
      resolve: (a, args) => readBudgetAlertDeliveries(a.clientId, args.first ?? 20),
    }),
  }),
});

builder.objectField(ClientRef, 'budgetAlerts', (t) => t.field({ type: BudgetAlertsRef, resolve: (client) => new ClientAlerts(client.id) }));

builder.relayMutationField(
  'setClientBudgetAlerts',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, required: true }),
      webhookUrl: f.string({
        description: 'Required with thresholds: an https URL on a public address (see the README, "Budget alerts").',
      }),
      thresholdsPercent: f.intList({
        required: true,
        description: `Percentages of the capacity, each from 1 to 99, distinct, at most ${MAX_THRESHOLDS}; empty: alerts off (pending deliveries are cancelled).`,
      }),
      rotateSecret: f.boolean({ description: 'Replace the signing secret by a new one (shown once in signingSecret).' }),
    }),
  },
  {
    description: "Admins and the client's managers: the client's budget alert webhook and thresholds.",
    authScopes: (_root, { input }) => ({ clientAction: { action: 'setBudgetAlerts', clientId: input.clientId.id } }),
    resolve: async (_root, { input }, ctx) => {
      const { secret } = await setClientBudgetAlerts(ctx.viewer!, input.clientId.id, {
        webhookUrl: input.webhookUrl,
        thresholdsPercent: input.thresholdsPercent,
        rotateSecret: input.rotateSecret,
      });
      const client = await db().client.findUniqueOrThrow({ where: { id: input.clientId.id } });
      return { client, signingSecret: secret };
    },
  },
  {
    outputFields: (t) => ({
      client: t.expose('client', { type: ClientRef }),
      budgetAlerts: t.field({ type: BudgetAlertsRef, resolve: (r) => new ClientAlerts(r.client.id) }),
      signingSecret: t.string({
        nullable: true,
        description:
          'The signing secret, when this call made one (the first setting, or rotateSecret): shown this once, never again. Deliveries carry Lumen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> keyed by it.',
        resolve: (r) => r.signingSecret,
      }),
    }),
  },
);
