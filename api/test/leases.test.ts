// Coin leases (domain/leases.ts): requests on a LIMITED pool are admitted against a slice
// of its balance held in memory, the pool row is left alone meanwhile, and the balance
// everyone sees (coinPool.balance) is the row plus what is leased. Leases go back when
// idle, when an admin changes the pool, and when their instance died; the last coins of a
// pool are spent exactly. Several instances: v1-leases-instances.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { LEASE_IDLE_MS, upkeepLeases } from '../src/domain/leases.ts';
import { reclaimAbandonedReservations } from '../src/domain/metering.ts';
import { refillDuePools } from '../src/domain/refills.ts';
import { graphql } from './gql/index.ts';
import { gid, startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, pool, refusal, shownPool, sum } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const say = (text: string) => [{ role: 'user' as const, content: text }];
const row = (clientId: string) => lumen.prisma.coinPool.findUniqueOrThrow({ where: { clientId } });
const leasesOf = (clientId: string) => lumen.prisma.coinLease.findMany({ where: { pool: { clientId } } });

/** A client with a LIMITED pool and a key, and a model whose requests cost exactly 3 coins (worst case = actual). */
async function limited(balance: string, extra: { refillAmount?: string; refillIntervalSeconds?: number; capacity?: string } = {}) {
  const m = await model(admin, { inputCoinsPerMillion: '0', outputCoinsPerMillion: '1000000' });
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: extra.capacity ?? '100000', balance, ...extra });
  const key = await clientKey(admin, client.id);
  const call = () => openai(key.secret).chat.completions.create({ model: m.name, messages: say('one two three'), max_tokens: 3 });
  return { m, client, key, call };
}

const shownBalance = async (clientId: string) => exact((await shownPool(lumen.prisma, clientId)).balance).toFixed();

test('requests are admitted against a lease: the pool row is left alone, coinPool.balance shows row + lease', async () => {
  const { client, call } = await limited('10000');
  await call();
  const [lease] = await leasesOf(client.id);
  assert.ok(lease, 'a lease was taken');
  const rowAfterFirst = exact((await row(client.id)).balance);
  assert.equal(rowAfterFirst.plus(exact(lease.amount)).toFixed(), '9997', 'row + lease = start − the first request');
  for (let i = 0; i < 5; i++) await call();
  assert.equal(exact((await row(client.id)).balance).toFixed(), rowAfterFirst.toFixed(), 'five more requests did not touch the pool row');
  assert.equal(await shownBalance(client.id), '9982');
  const seen = await lumen.gql(
    graphql(`
      query LeasesTest_Pool($id: ID!) {
        client(id: $id) {
          coinPool {
            balance
          }
        }
      }
    `),
    { id: gid('Client', client.id) },
    admin,
  );
  assert.equal(seen.errors, undefined, JSON.stringify(seen.errors));
  assert.equal(seen.data?.client?.coinPool.balance, '9982', 'the API shows the row plus the lease');
});

test('an idle lease goes back to its pool', async () => {
  const { client, call } = await limited('900');
  await call();
  assert.equal((await leasesOf(client.id)).length, 1);
  await upkeepLeases(Date.now() + LEASE_IDLE_MS);
  // Giving back is a statement of its own, started by the upkeep: wait for it.
  for (let i = 0; i < 50 && (await leasesOf(client.id)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await leasesOf(client.id)).length, 0);
  assert.equal(exact((await row(client.id)).balance).toFixed(), '897');
});

test('an admin changing the pool takes its leases back in the same transaction, starting from the shown balance', async () => {
  const { client, call } = await limited('3000');
  await call();
  await call();
  assert.equal((await leasesOf(client.id)).length, 1);
  // Only the capacity changes: the balance kept is the one shown (row + lease).
  await pool(admin, client.id, { state: 'LIMITED', capacity: '5000' });
  assert.equal((await leasesOf(client.id)).length, 0);
  assert.equal(exact((await row(client.id)).balance).toFixed(), '2994');
  // The instance learns that its lease is gone, takes a new one, and every coin is accounted for.
  await call();
  assert.equal(await shownBalance(client.id), '2991');
  const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
  assert.equal(sum(records.map((r) => r.coins)).toFixed(), '9');
});

test('the last coins are spent exactly: leases shrink, then requests reserve one by one', async () => {
  const { client, key, call } = await limited('62');
  let admitted = 0;
  for (let i = 0; i < 100; i++) {
    const outcome = await refusal(call()).catch(() => null);
    if (outcome === null) {
      admitted++;
      continue;
    }
    assert.equal(outcome.status, 429);
    assert.match(outcome.message, /2 are left/);
    break;
  }
  assert.equal(admitted, 20, 'floor(62 / 3)');
  assert.equal(await shownBalance(client.id), '2');
  const keyRow = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
  assert.equal(exact(keyRow.coinsSpent).toFixed(), '60');
  assert.equal(await lumen.prisma.coinReservation.count({ where: { pool: { clientId: client.id } } }), 0);
});

test('a lease whose instance stopped touching it is reclaimed; a settlement that finds it gone charges the pool', async () => {
  const { client, call } = await limited('6000');
  await call();
  const [lease] = await leasesOf(client.id);
  // As if this instance had died: nobody touched the lease for 10 minutes.
  await lumen.prisma.coinLease.update({ where: { id: lease.id }, data: { touchedAt: new Date(Date.now() - 600_000) } });
  assert.equal(await reclaimAbandonedReservations(), 1);
  assert.equal((await leasesOf(client.id)).length, 0);
  assert.equal(exact((await row(client.id)).balance).toFixed(), '5997', 'the lease remainder went back');
  // This instance was not dead after all: its next request is admitted against the lease it
  // still holds in memory, and the settlement, finding the row gone, charges the pool itself.
  await call();
  assert.equal(await shownBalance(client.id), '5994');
  const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
  assert.equal(sum(records.map((r) => r.coins)).toFixed(), '6', 'balance = start − spent');
});

test('a refill counts leased coins against the capacity', async () => {
  const { client, call } = await limited('800', { capacity: '1000', refillAmount: '500', refillIntervalSeconds: 60 });
  await call();
  assert.equal((await leasesOf(client.id)).length, 1);
  await lumen.prisma.coinPool.update({ where: { clientId: client.id }, data: { lastRefillAt: new Date(Date.now() - 61_000) } });
  assert.equal((await refillDuePools({ poolId: (await row(client.id)).id })).length, 1);
  assert.equal(await shownBalance(client.id), '1000', 'row + lease capped at the capacity');
});
