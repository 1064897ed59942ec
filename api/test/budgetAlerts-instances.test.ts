// Budget alerts across two Lumen servers on one PostgreSQL and one Redis: real /v1 traffic
// through both takes a LIMITED pool below four thresholds; both instances check crossings
// after their settlements and both run the delivery loop, and the receiver gets each crossing
// exactly once, signed, with one recorded attempt each.
// Needs LUMEN_TEST_DATABASE_URL and REDIS_TEST_URL (CI sets both); skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { setClientCoinPool } from '../src/domain/coinPools.ts';
import { gqlOn, startTwoInstances, type TwoInstances } from './support/instances.ts';
import { gid } from './support/lumen.ts';
import { model, openai, shownPool } from './support/v1.ts';
import { signatureIsValid, WebhookReceiver } from './support/webhookReceiver.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_TEST_URL;
const skip = !adminUrl || !redisUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL) and REDIS_TEST_URL (Redis); CI sets both' : false;

let lumen: TwoInstances | undefined;
let receiver: WebhookReceiver | undefined;
let modelName = '';

before(async () => {
  if (skip) return;
  receiver = await WebhookReceiver.start();
  lumen = await startTwoInstances({
    adminUrl: adminUrl!,
    redisUrl: redisUrl!,
    name: 'budget_alerts',
    // The receiver listens on 127.0.0.1.
    env: { LUMEN_ALLOW_HTTP_WEBHOOKS: 'true' },
    beforeServers: async ({ viewer }) => {
      modelName = (await model({ viewer }, { inputCoinsPerMillion: '100000', outputCoinsPerMillion: '100000' })).name;
    },
  });
});
after(async () => {
  await lumen?.close();
  await receiver?.close();
});

async function eventually(condition: () => Promise<boolean>, what: string, deadlineMs = 40_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`never: ${what}`);
    await sleep(200);
  }
}

const SET = `mutation($c: ID!, $url: String, $t: [Int!]!) {
  setClientBudgetAlerts(input: { clientId: $c, webhookUrl: $url, thresholdsPercent: $t }) { signingSecret }
}`;

test('each crossing reaches the webhook once, though both instances record crossings and deliver', { skip }, async () => {
  const { a, b, database, viewer, adminToken, clientId } = lumen!;
  await setClientCoinPool(viewer, clientId, { state: 'LIMITED', capacity: '100' });
  const hook = receiver!.hook();
  const set = await gqlOn(a, adminToken, SET, { c: gid('Client', clientId), url: hook, t: [90, 70, 50, 30] });
  assert.equal(set.errors, undefined, JSON.stringify(set.errors));
  const secret = (set.data as { setClientBudgetAlerts: { signingSecret: string } }).setClientBudgetAlerts.signingSecret;
  const { secret: key } = await createApiKey(viewer, { clientId }, { name: 'traffic' });
  const clients = [openai(key, `${a.url}/v1`), openai(key, `${b.url}/v1`)];
  const ask = (ai: OpenAI) =>
    ai.chat.completions.create({ model: modelName, messages: [{ role: 'user', content: 'one two three four five' }], max_tokens: 5 });
  for (let i = 0; i < 200 && (await shownPool(database.prisma, clientId)).balance.greaterThanOrEqualTo(30); i++) {
    await Promise.all(clients.map(ask));
  }
  await eventually(async () => (await database.prisma.budgetAlertEvent.count({ where: { clientId } })) === 4, 'four crossings recorded');
  await eventually(
    async () => (await database.prisma.budgetAlertEvent.count({ where: { clientId, status: 'DELIVERED' } })) === 4,
    'all four delivered',
  );
  const events = await database.prisma.budgetAlertEvent.findMany({ where: { clientId }, include: { deliveryAttempts: true } });
  assert.deepEqual(events.map((e) => e.thresholdPercent).sort(), [30, 50, 70, 90]);
  assert.ok(events.every((e) => e.deliveryAttempts.length === 1 && e.attempts === 1));
  const got = receiver!.at(hook);
  assert.equal(got.length, 4, 'one POST per crossing');
  assert.deepEqual(got.map((g) => g.json.id).sort(), events.map((e) => e.id).sort());
  assert.ok(got.every((g) => signatureIsValid(g.headers['lumen-signature'], g.body, secret)));
});
