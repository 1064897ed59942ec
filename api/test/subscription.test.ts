// Live usage over GraphQL-over-SSE: subscribers hear changes to their client as they happen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { subscriberCount } from '../src/events/bus.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';
import { SseReader } from './support/sse.ts';
import { clientKey, model, openai } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const SUBSCRIPTION = graphql(`
  subscription Subscription_ClientUsage($id: ID!) {
    clientUsage(clientId: $id) {
      change
      client {
        id
        name
      }
      usage {
        requests
        coinsSpent
      }
      coinPool {
        state
        balance
      }
      apiKey {
        name
        active
      }
    }
  }
`);

async function subscribe(clientId: string, as: TestUser | null) {
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${as.token}`;
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { id: clientId } }),
  });
  return new SseReader<ResultOf<typeof SUBSCRIPTION>>(response);
}

test('a manager hears key creation, revocation and pool changes on their client', async () => {
  const manager = await lumen.user();
  const client = await lumen.client(admin, 'Live');
  const other = await lumen.client(admin, 'Other');
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
  const events = await subscribe(client.globalId, manager);
  // The stream opens before the subscription is registered; wait for it rather than lose the first event.
  for (let i = 0; i < 200 && subscriberCount({ clientId: client.id, userId: null }) === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(subscriberCount({ clientId: client.id, userId: null }), 1);
  try {
    // A change to another client must not reach this subscriber.
    assertOk(
      await lumen.gql(
        `mutation($c: ID!) { createApiKey(input: { clientId: $c, name: "elsewhere" }) { secret } }`,
        { c: other.globalId },
        admin,
      ),
    );
    const created = assertOk(
      await lumen.gql(
        graphql(`
          mutation Subscription_CreateApiKey($c: ID!) {
            createApiKey(input: { clientId: $c, name: "prod" }) {
              apiKey {
                id
              }
            }
          }
        `),
        { c: client.globalId },
        manager,
      ),
    );
    const first = await events.next();
    assert.equal(first?.data?.clientUsage.change, 'KEY_CREATED');
    assert.deepEqual(first?.data?.clientUsage.apiKey, { name: 'prod', active: true });
    assert.deepEqual(first?.data?.clientUsage.client, { id: client.globalId, name: 'Live' });
    assert.deepEqual(first?.data?.clientUsage.usage, { requests: 0, coinsSpent: '0' });

    assertOk(
      await lumen.gql(
        `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id } } }`,
        { id: created.createApiKey.apiKey.id },
        manager,
      ),
    );
    const second = await events.next();
    assert.equal(second?.data?.clientUsage.change, 'KEY_REVOKED');
    assert.equal(second?.data?.clientUsage.apiKey?.active, false);

    assertOk(
      await lumen.gql(
        `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "100", balance: "25.5" }) { client { id } } }`,
        { c: client.globalId },
        admin,
      ),
    );
    const third = await events.next();
    assert.equal(third?.data?.clientUsage.change, 'POOL_CHANGED');
    assert.deepEqual(third?.data?.clientUsage.coinPool, { state: 'LIMITED', balance: '25.5' });
  } finally {
    await events.close();
  }
});

test('the subscription has the same guard as client(id)', async () => {
  const client = await lumen.client(admin, 'Guarded');
  const stranger = await lumen.user();
  const refused = await (await subscribe(client.globalId, stranger)).next();
  assert.equal(refused?.errors?.[0].extensions?.code, 'FORBIDDEN');
  const anonymous = await (await subscribe(client.globalId, null)).next();
  assert.equal(anonymous?.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  const unknown = await (await subscribe('Q2xpZW50OjAxOTAwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA==', admin)).next();
  assert.equal(unknown?.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
});

const METERED = graphql(`
  subscription Subscription_Metered($id: ID!) {
    clientUsage(clientId: $id) {
      change
      requests
      usage {
        requests
        coinsSpent
      }
      apiKey {
        name
      }
      modelAccess {
        model {
          name
        }
        usage {
          requests
        }
      }
    }
  }
`);

test('settlements written in one batch still reach subscribers: an event per key and model, with the requests it covers', async () => {
  const client = await lumen.client(admin, 'Batched');
  await setPool(client.globalId);
  const m = await model(admin);
  const keys = [await clientKey(admin, client.id, 'first'), await clientKey(admin, client.id, 'second')];
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: METERED, variables: { id: client.globalId } }),
  });
  const events = new SseReader<ResultOf<typeof METERED>>(response);
  for (let i = 0; i < 200 && subscriberCount({ clientId: client.id, userId: null }) === 0; i++) await new Promise((r) => setTimeout(r, 10));
  try {
    // Sent together, so they settle together: fewer events than requests, none lost.
    const perKey = 12;
    await Promise.all(
      keys.flatMap((key) =>
        Array.from({ length: perKey }, () =>
          openai(key.secret).chat.completions.create({ model: m.name, messages: [{ role: 'user', content: 'hi there' }] }),
        ),
      ),
    );
    const heard = new Map<string, number>();
    let seen = 0;
    let last: ResultOf<typeof METERED>['clientUsage'] | null = null;
    while (seen < perKey * keys.length) {
      const event = (await events.next())?.data?.clientUsage;
      assert.ok(event, 'the stream ended early');
      assert.equal(event.change, 'METERED');
      assert.ok(event.requests >= 1);
      assert.equal(event.modelAccess?.model.name, m.name);
      heard.set(event.apiKey!.name, (heard.get(event.apiKey!.name) ?? 0) + event.requests);
      seen += event.requests;
      last = event;
    }
    assert.deepEqual(Object.fromEntries(heard), { first: perKey, second: perKey }, 'every request counted once, under its key');
    // The figures are those after the batch: the last event has them all.
    assert.equal(last?.usage.requests, perKey * keys.length);
    assert.equal(last?.modelAccess?.usage.requests, perKey * keys.length);
  } finally {
    await events.close();
  }
});

async function setPool(clientId: string) {
  assertOk(
    await lumen.gql(
      `mutation($c: ID!) { setClientCoinPool(input: { clientId: $c, state: LIMITED, capacity: "1000000", balance: "1000000" }) { client { id } } }`,
      { c: clientId },
      admin,
    ),
  );
}
