// `lumen seed --demo` makes real usage: its requests go through /v1 and the echo provider, so
// the usage records, the client's figures, its keys' counters, its per-model figures and its
// pool all agree, as after real traffic.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedDemo } from '../src/cli/seedDemo.ts';
import { exact } from '../src/domain/coins.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { sum } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const CLIENT = graphql(`
  query SeedDemo_Client($id: ID!) {
    client(id: $id) {
      usage {
        requests
        coinsSpent
      }
      coinPool {
        state
        balance
      }
      apiKeys(includeRevoked: true) {
        edges {
          node {
            name
            requests
            coinsSpent
          }
        }
      }
      modelAccess {
        model {
          name
        }
        usage {
          requests
          coinsSpent
        }
      }
    }
  }
`);

test('the demo usage is metered: Σ records = the client’s coinsSpent = Σ its keys’ = Σ its models’', async () => {
  const said = await seedDemo();
  assert.match(said, /metered requests/);
  let metered = 0;
  for (const name of ['Research Chatbot', 'CI Runner', 'Notebook Service']) {
    const row = await lumen.prisma.client.findFirstOrThrow({ where: { name } });
    const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: row.id } });
    assert.ok(
      records.every((r) => r.status === 'ok'),
      `${name}: a demo request failed`,
    );
    const recorded = sum(records.map((r) => r.coins)).toFixed();
    const client = assertOk(await lumen.gql(CLIENT, { id: gid('Client', row.id) }, admin)).client;
    assert.ok(client, `${name} is not visible to an admin`);
    const keys = client.apiKeys.edges.map((e) => e.node);
    assert.equal(client.usage.requests, records.length, `${name}: requests`);
    assert.equal(client.usage.coinsSpent, recorded, `${name}: the client's coinsSpent is not the sum of its records`);
    assert.equal(sum(keys.map((k) => k.coinsSpent)).toFixed(), recorded, `${name}: the keys' coinsSpent do not add up`);
    assert.equal(
      keys.reduce((n, k) => n + k.requests, 0),
      records.length,
      `${name}: the keys' requests do not add up`,
    );
    assert.equal(
      sum(client.modelAccess.map((m) => m.usage.coinsSpent)).toFixed(),
      recorded,
      `${name}: the models' coinsSpent do not add up`,
    );
    metered += records.length;
    if (name === 'Research Chatbot') {
      assert.ok(records.length > 0 && exact(recorded).greaterThan(0), 'the demo client has no usage');
      // A LIMITED pool of 750 coins, not due for a refill yet: what is left is what was not spent.
      assert.equal(client.coinPool.state, 'LIMITED');
      assert.equal(exact(client.coinPool.balance!).toFixed(), exact(750).minus(recorded).toFixed());
      assert.equal(await lumen.prisma.coinReservation.count(), 0, 'a reservation was left behind');
    }
    if (name === 'CI Runner') assert.ok(records.length > 0, 'the CI client has no usage');
  }
  assert.equal(await lumen.prisma.usageRecord.count(), metered, 'usage recorded for something else than the demo clients');
  assert.match(said, new RegExp(`\\b${metered} metered requests`));

  // Seeding again adds nothing.
  const before = await lumen.prisma.usageRecord.count();
  assert.equal(await seedDemo(), 'Demo data is already there.');
  assert.equal(await lumen.prisma.usageRecord.count(), before);
});
