// Budget alerts (issue 13): setClientBudgetAlerts and Client.budgetAlerts; a webhook told once
// per crossing, with a valid Lumen-Signature, when real /v1 traffic or a pool change takes a
// LIMITED pool (as shown: row plus leases) below a threshold; armed again by a refill; retried
// with backoff after a failing receiver (the retry clock is driven through `now`, never slept
// on); one event and one POST when two checkers and two deliverers race; a BUDGET_LOW event on
// clientUsage; and the webhook URL rules (https in production, no internal addresses) at save
// time and again at each delivery. The receiver is a tiny local HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { config, loadConfig, setConfig } from '../src/config.ts';
import { checkBudgetAlerts, spendingChecked } from '../src/domain/budgetAlertCrossings.ts';
import { deliverDueBudgetAlerts, RETRY_FOR_MS } from '../src/domain/budgetAlertDelivery.ts';
import { addClientManager } from '../src/domain/clients.ts';
import { exact, formatCoins } from '../src/domain/coins.ts';
import { refillDuePools } from '../src/domain/refills.ts';
import { subscriberCount } from '../src/events/bus.ts';
import { graphql } from './gql/index.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';
import { SseReader } from './support/sse.ts';
import { clientKey, model, openai, pool, shownPool } from './support/v1.ts';
import { signatureIsValid, WebhookReceiver } from './support/webhookReceiver.ts';

let lumen: TestLumen;
let admin: TestUser;
let receiver: WebhookReceiver;
before(async () => {
  // The receiver listens on 127.0.0.1: allowed here as an admin would allow an internal receiver.
  lumen = await startLumen({ LUMEN_ALLOW_HTTP_WEBHOOKS: 'true' });
  admin = await lumen.user({ admin: true });
  receiver = await WebhookReceiver.start();
});
after(async () => {
  await receiver.close();
  await lumen.close();
});

const SET = graphql(`
  mutation BudgetAlerts_Set($c: ID!, $url: String, $t: [Int!]!, $rotate: Boolean) {
    setClientBudgetAlerts(input: { clientId: $c, webhookUrl: $url, thresholdsPercent: $t, rotateSecret: $rotate }) {
      signingSecret
      budgetAlerts {
        enabled
        webhookUrl
        secretHint
        thresholds {
          percent
          armed
        }
      }
      client {
        viewerCan {
          setBudgetAlerts
        }
      }
    }
  }
`);

const READ = graphql(`
  query BudgetAlerts_Read($c: ID!) {
    client(id: $c) {
      budgetAlerts {
        enabled
        webhookUrl
        thresholds {
          percent
          armed
          firedAt
        }
        deliveries {
          eventId
          thresholdPercent
          balance
          capacity
          status
          nextAttemptAt
          deliveredAt
          attempts {
            at
            httpStatus
            error
          }
        }
      }
    }
  }
`);

const EVENTS = graphql(`
  subscription BudgetAlerts_Events($id: ID!) {
    clientUsage(clientId: $id) {
      change
      coinPool {
        balance
      }
    }
  }
`);

/** Runs `work` as if the instance had started with these webhook settings (read by the real parser). */
async function withSettings(env: Record<string, string>, work: () => Promise<void>): Promise<void> {
  const started = config();
  const parsed = loadConfig({ LUMEN_SECRET: 'x'.repeat(32), ...env });
  setConfig({ ...started, env: parsed.env, allowHttpWebhooks: parsed.allowHttpWebhooks });
  try {
    await work();
  } finally {
    setConfig(started);
  }
}

/** A client with a LIMITED pool of 100 coins and alerts at `thresholds` to a fresh hook. */
async function alerted(thresholds: number[], statuses: number[] = [], poolInput: Partial<Parameters<typeof pool>[2]> = {}) {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: '100', ...poolInput });
  const hook = receiver.hook(statuses);
  const set = assertOk(await lumen.gql(SET, { c: client.globalId, url: hook, t: thresholds }, admin));
  const secret = set.setClientBudgetAlerts.signingSecret;
  assert.ok(secret);
  return { client, hook, secret };
}

async function events(clientId: string) {
  return lumen.prisma.budgetAlertEvent.findMany({ where: { clientId }, orderBy: { thresholdPercent: 'desc' } });
}

async function subscribe(client: { id: string; globalId: string }) {
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: EVENTS, variables: { id: client.globalId } }),
  });
  const reader = new SseReader<ResultOf<typeof EVENTS>>(response);
  // The stream opens before the subscription is registered; wait for it rather than lose the first event.
  for (let i = 0; i < 200 && subscriberCount({ clientId: client.id, userId: null }) === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(subscriberCount({ clientId: client.id, userId: null }), 1);
  return reader;
}

describe('setClientBudgetAlerts', () => {
  test('refuses bad thresholds and URLs with messages that say what to do, and changes nothing', async () => {
    const client = await lumen.client(admin);
    const hook = receiver.hook();
    const cases: [unknown[], string | null, RegExp][] = [
      [[0], hook, /from 1 to 99 \(got 0\)/],
      [[100], hook, /from 1 to 99 \(got 100\)/],
      [[50, 50], hook, /50% is given twice/],
      [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], hook, /at most 10 thresholds/],
      [[50], null, /webhookUrl is required/],
      [[50], 'not a url', /not a URL/],
      [[50], 'ftp://example.org/x', /must be an https URL/],
      [[50], 'https://user:pw@example.org/x', /cannot contain a user name or password/],
    ];
    const before = await lumen.snapshot();
    for (const [t, url, message] of cases) {
      assertErrorCode(await lumen.gql(SET, { c: client.globalId, url, t: t as number[] }, admin), 'BAD_USER_INPUT', message);
    }
    assert.equal(await lumen.snapshot(), before);
    assert.equal(await lumen.prisma.clientBudgetAlert.count({ where: { clientId: client.id } }), 0);
  });

  test('http is refused in production, and internal addresses everywhere, unless LUMEN_ALLOW_HTTP_WEBHOOKS=true', async () => {
    const client = await lumen.client(admin);
    const set = (url: string) => lumen.gql(SET, { c: client.globalId, url, t: [50] }, admin);
    await withSettings({ NODE_ENV: 'production' }, async () => {
      assertErrorCode(
        await set('http://example.org/hook'),
        'BAD_USER_INPUT',
        /must use https in production.*LUMEN_ALLOW_HTTP_WEBHOOKS=true/,
      );
      assertErrorCode(await set('https://127.0.0.1/hook'), 'BAD_USER_INPUT', /127\.0\.0\.1 is a private, loopback/);
    });
    await withSettings({ NODE_ENV: 'test' }, async () => {
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://10.1.2.3/hook',
        'http://172.16.0.1/hook',
        'http://192.168.1.10/hook',
        'http://100.64.0.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'http://0.0.0.0/hook',
        'http://[::1]/hook',
        'http://[::]/hook',
        'http://[fe80::1]/hook',
        'http://[fd12:3456::1]/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://[::ffff:a00:1]/hook',
        // A name is resolved: localhost is loopback.
        'https://localhost/hook',
      ]) {
        assertErrorCode(
          await set(url),
          'BAD_USER_INPUT',
          /is refused: .*(private, loopback|could not be resolved).*LUMEN_ALLOW_HTTP_WEBHOOKS=true/,
        );
      }
    });
    await withSettings({ NODE_ENV: 'production', LUMEN_ALLOW_HTTP_WEBHOOKS: 'true' }, async () => {
      assertOk(await set(receiver.hook()));
    });
  });

  test('a manager sets them; the signing secret is shown once, stored sealed, and replaced on request', async () => {
    const client = await lumen.client(admin);
    const manager = await lumen.user();
    await addClientManager(admin.viewer, client.id, manager.id);
    const hook = receiver.hook();
    const first = assertOk(await lumen.gql(SET, { c: client.globalId, url: hook, t: [20, 80, 50] }, manager)).setClientBudgetAlerts;
    assert.match(first.signingSecret!, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(first.client.viewerCan.setBudgetAlerts, true);
    assert.deepEqual(first.budgetAlerts, {
      enabled: true,
      webhookUrl: hook,
      secretHint: `${first.signingSecret!.slice(0, 4)}...${first.signingSecret!.slice(-4)}`,
      thresholds: [80, 50, 20].map((percent) => ({ percent, armed: true })),
    });
    const row = await lumen.prisma.clientBudgetAlert.findUniqueOrThrow({ where: { clientId: client.id } });
    assert.ok(!row.secretSealed.includes(first.signingSecret!.slice(6)), 'the secret is not stored in clear');
    const audit = await lumen.prisma.auditEntry.findMany({ where: { action: 'client.setBudgetAlerts', targetId: client.id } });
    assert.ok(!JSON.stringify(audit).includes(first.signingSecret!.slice(6)), 'nor written to the audit log');

    const again = assertOk(await lumen.gql(SET, { c: client.globalId, url: hook, t: [50] }, manager)).setClientBudgetAlerts;
    assert.equal(again.signingSecret, null, 'shown once: a later change does not show it again');
    assert.deepEqual(again.budgetAlerts.thresholds, [{ percent: 50, armed: true }]);
    const rotated = assertOk(await lumen.gql(SET, { c: client.globalId, url: hook, t: [50], rotate: true }, manager)).setClientBudgetAlerts;
    assert.match(rotated.signingSecret!, /^whsec_/);
    assert.notEqual(rotated.signingSecret, first.signingSecret);

    const off = assertOk(await lumen.gql(SET, { c: client.globalId, t: [] }, manager)).setClientBudgetAlerts;
    assert.deepEqual(off.budgetAlerts, { enabled: false, webhookUrl: null, secretHint: null, thresholds: [] });
  });
});

describe('delivery', () => {
  test('real /v1 traffic below two thresholds: one signed POST per crossing, a BUDGET_LOW event, nothing twice', async () => {
    const echo = await model(admin, { inputCoinsPerMillion: '500000', outputCoinsPerMillion: '500000' });
    const { client, hook, secret } = await alerted([75, 50]);
    const key = await clientKey(admin, client.id);
    const ai = openai(key.secret);
    const live = await subscribe(client);
    try {
      for (let i = 0; i < 30 && exact((await shownPool(lumen.prisma, client.id)).balance).greaterThanOrEqualTo(50); i++) {
        await ai.chat.completions.create({
          model: echo.name,
          messages: [{ role: 'user', content: 'one two three four five' }],
          max_tokens: 5,
        });
      }
      await spendingChecked();
      const crossed = await events(client.id);
      assert.deepEqual(
        crossed.map((e) => e.thresholdPercent),
        [75, 50],
      );
      for (const event of crossed) {
        assert.ok(
          exact(event.balance).times(100).lessThan(exact(event.capacity).times(event.thresholdPercent)),
          'recorded below its threshold',
        );
      }
      // The crossing reached the subscription as it was recorded.
      let change: string | undefined;
      for (let i = 0; i < 100 && change !== 'BUDGET_LOW'; i++) change = (await live.next())?.data?.clientUsage.change;
      assert.equal(change, 'BUDGET_LOW');
    } finally {
      await live.close();
    }

    await deliverDueBudgetAlerts();
    const got = receiver.at(hook);
    assert.equal(got.length, 2);
    const crossed = await events(client.id);
    for (const [i, event] of crossed.entries()) {
      const post = got.find((g) => g.json.id === event.id);
      assert.ok(post, `event ${i} delivered`);
      assert.ok(signatureIsValid(post.headers['lumen-signature'], post.body, secret), 'the signature checks out');
      assert.deepEqual(post.json, {
        id: event.id,
        type: 'budget.threshold',
        clientId: client.globalId,
        clientName: client.name,
        thresholdPercent: event.thresholdPercent,
        balance: formatCoins(exact(event.balance)),
        capacity: '100',
        at: event.createdAt.toISOString(),
      });
      assert.match(post.json.balance as string, /^\d+(\.\d+)?$/, 'an exact decimal string');
      assert.equal(event.status, 'DELIVERED');
    }
    await deliverDueBudgetAlerts();
    assert.equal(receiver.at(hook).length, 2, 'delivered once');
    const read = assertOk(await lumen.gql(READ, { c: client.globalId }, admin)).client!.budgetAlerts;
    assert.deepEqual(read.deliveries.map((d) => [d.thresholdPercent, d.status, d.attempts.map((a) => a.httpStatus)]).sort(), [
      [50, 'DELIVERED', [200]],
      [75, 'DELIVERED', [200]],
    ]);
    assert.deepEqual(
      read.thresholds.map((t) => [t.percent, t.armed]),
      [
        [75, false],
        [50, false],
      ],
    );
  });

  test('two checkers record one event for a crossing, and two deliverers send it once', async () => {
    const { client, hook } = await alerted([50]);
    // Below the threshold without a check (as if two instances saw the same batch).
    await lumen.prisma.coinPool.update({ where: { clientId: client.id }, data: { balance: '10' } });
    const found = await Promise.all([checkBudgetAlerts([client.id]), checkBudgetAlerts([client.id]), checkBudgetAlerts([client.id])]);
    assert.equal(found.flat().length, 1);
    assert.equal((await events(client.id)).length, 1);
    const sent = await Promise.all([deliverDueBudgetAlerts({ instanceId: 'a' }), deliverDueBudgetAlerts({ instanceId: 'b' })]);
    assert.equal(receiver.at(hook).length, 1);
    assert.ok(sent.reduce((a, b) => a + b, 0) >= 1);
    const [event] = await events(client.id);
    assert.equal(event.status, 'DELIVERED');
    assert.equal(await lumen.prisma.budgetAlertAttempt.count({ where: { eventId: event.id } }), 1);
  });

  test('a refill above the threshold arms it again; the next crossing is a new event with a new id', async () => {
    const echo = await model(admin, { inputCoinsPerMillion: '500000', outputCoinsPerMillion: '500000' });
    const { client, hook, secret } = await alerted([50], [], { refillAmount: '60', refillIntervalSeconds: 3600 });
    // An admin's change takes the balance below: that crosses too.
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '30', refillAmount: '60', refillIntervalSeconds: 3600 });
    await deliverDueBudgetAlerts();
    assert.equal(receiver.at(hook).length, 1);
    const poolRow = await lumen.prisma.coinPool.findUniqueOrThrow({ where: { clientId: client.id } });
    await refillDuePools({ poolId: poolRow.id, now: new Date(poolRow.lastRefillAt!.getTime() + 3601_000) });
    assert.equal((await shownPool(lumen.prisma, client.id)).balance.toFixed(), '90');
    const read = assertOk(await lumen.gql(READ, { c: client.globalId }, admin)).client!.budgetAlerts;
    assert.deepEqual(
      read.thresholds.map((t) => [t.percent, t.armed]),
      [[50, true]],
    );

    const ai = openai((await clientKey(admin, client.id)).secret);
    for (let i = 0; i < 30 && (await shownPool(lumen.prisma, client.id)).balance.greaterThanOrEqualTo(50); i++) {
      await ai.chat.completions.create({
        model: echo.name,
        messages: [{ role: 'user', content: 'one two three four five' }],
        max_tokens: 5,
      });
    }
    await spendingChecked();
    await deliverDueBudgetAlerts();
    const got = receiver.at(hook);
    assert.equal(got.length, 2);
    assert.notEqual(got[0].json.id, got[1].json.id);
    const rows = await events(client.id);
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0].arming, rows[1].arming);
    assert.ok(got.every((g) => signatureIsValid(g.headers['lumen-signature'], g.body, secret)));
  });

  test('a failing receiver is retried with backoff, redirects are not followed, every attempt is shown', async () => {
    const { client, hook, secret } = await alerted([50], [500, 302]);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '40' });
    const [event] = await events(client.id);
    const t0 = new Date(event.createdAt.getTime() + 1000);
    await deliverDueBudgetAlerts({ now: t0 });
    assert.deepEqual(
      receiver.at(hook).map((r) => r.status),
      [500],
    );
    // Not due again yet: nothing is sent.
    await deliverDueBudgetAlerts({ now: new Date(t0.getTime() + 10_000) });
    assert.equal(receiver.at(hook).length, 1);
    await deliverDueBudgetAlerts({ now: new Date(t0.getTime() + 30_000) });
    assert.deepEqual(
      receiver.at(hook).map((r) => r.status),
      [500, 302],
    );
    assert.equal(receiver.received.filter((r) => r.path === '/elsewhere').length, 0, 'the redirect was not followed');
    const pending = assertOk(await lumen.gql(READ, { c: client.globalId }, admin)).client!.budgetAlerts.deliveries[0];
    assert.equal(pending.status, 'PENDING');
    // The second failure waits twice as long as the first.
    assert.equal(pending.nextAttemptAt, new Date(t0.getTime() + 90_000).toISOString());
    await deliverDueBudgetAlerts({ now: new Date(t0.getTime() + 89_000) });
    assert.equal(receiver.at(hook).length, 2);
    await deliverDueBudgetAlerts({ now: new Date(t0.getTime() + 90_000) });
    const got = receiver.at(hook);
    assert.deepEqual(
      got.map((r) => r.status),
      [500, 302, 200],
    );
    assert.ok(
      got.every((g) => g.body === got[0].body),
      'the same body, and id, at every attempt',
    );
    assert.ok(got.every((g) => signatureIsValid(g.headers['lumen-signature'], g.body, secret)));
    const done = assertOk(await lumen.gql(READ, { c: client.globalId }, admin)).client!.budgetAlerts.deliveries[0];
    assert.equal(done.status, 'DELIVERED');
    assert.equal(done.nextAttemptAt, null);
    assert.deepEqual(
      done.attempts.map((a) => [a.httpStatus, a.error]),
      [
        [500, null],
        [302, 'redirects are not followed'],
        [200, null],
      ],
    );
  });

  test('given up 24 hours after the crossing', async () => {
    const { client, hook } = await alerted([50], Array(20).fill(503));
    await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '40' });
    const [event] = await events(client.id);
    await deliverDueBudgetAlerts({ now: new Date(event.createdAt.getTime() + 1000) });
    await deliverDueBudgetAlerts({ now: new Date(event.createdAt.getTime() + RETRY_FOR_MS - 1000) });
    assert.equal(receiver.at(hook).length, 2);
    const row = await lumen.prisma.budgetAlertEvent.findUniqueOrThrow({ where: { id: event.id } });
    assert.equal(row.status, 'FAILED');
    assert.equal(row.attempts, 2);
  });

  test('the address is checked again at each delivery; turning alerts off cancels what is pending', async () => {
    const { client, hook } = await alerted([50]);
    await withSettings({ NODE_ENV: 'test' }, async () => {
      await pool(admin, client.id, { state: 'LIMITED', capacity: '100', balance: '40' });
      await deliverDueBudgetAlerts();
    });
    assert.equal(receiver.at(hook).length, 0, 'nothing was sent to the loopback address');
    const read = assertOk(await lumen.gql(READ, { c: client.globalId }, admin)).client!.budgetAlerts.deliveries[0];
    assert.equal(read.status, 'PENDING');
    assert.match(read.attempts[0].error!, /^refused: 127\.0\.0\.1 is a private, loopback/);
    assert.equal(read.attempts[0].httpStatus, null);

    assertOk(await lumen.gql(SET, { c: client.globalId, t: [] }, admin));
    const [event] = await events(client.id);
    assert.equal(event.status, 'CANCELLED');
  });
});
