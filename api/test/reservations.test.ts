// The reservation ledger: coins reserved for a request under way from the pool row itself
// (a pool too low for a coin lease) are a row of their own, so that a process dying between
// reserving and settling does not lose them. Leases: leases.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import {
  reclaimAbandonedReservations,
  recordUsage,
  releaseReservation,
  reserveCoins,
  reservePerRequest,
  touchLiveReservations,
} from '../src/domain/metering.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, pool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

async function limitedClient(balance: string) {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: '1000', balance });
  return client;
}
const balanceOf = async (clientId: string) =>
  exact((await lumen.prisma.coinPool.findUniqueOrThrow({ where: { clientId } })).balance).toFixed();
/** A per-request reservation, as the last coins of a pool are reserved. */
async function reserveRow(clientId: string, amount: string) {
  const { id } = await lumen.prisma.coinPool.findUniqueOrThrow({ where: { clientId } });
  return reservePerRequest({ clientId }, id, exact(amount));
}
const age = (minutes: number) => lumen.prisma.coinReservation.updateMany({ data: { touchedAt: new Date(Date.now() - minutes * 60_000) } });

test('a reservation is a ledger row; settling removes it and refunds the unspent part', async () => {
  const client = await limitedClient('100');
  const m = await model(admin);
  const key = await clientKey(admin, client.id);
  const reservation = await reserveRow(client.id, '10');
  assert.equal(await balanceOf(client.id), '90');
  assert.equal(exact((await lumen.prisma.coinReservation.findUniqueOrThrow({ where: { id: reservation.id! } })).amount).toFixed(), '10');
  await recordUsage({
    owner: { clientId: client.id },
    apiKeyId: key.id,
    modelId: m.id,
    reservation,
    inputTokens: 3,
    outputTokens: 1,
    cost: exact('2.5'),
    status: 'ok',
    latencyMs: 5,
  });
  assert.equal(await balanceOf(client.id), '97.5');
  assert.equal(await lumen.prisma.coinReservation.count({ where: { id: reservation.id! } }), 0);
});

test('a reservation abandoned by a dead process is given back, once', async () => {
  const client = await limitedClient('50');
  await reserveRow(client.id, '20');
  await reserveRow(client.id, '5');
  assert.equal(await balanceOf(client.id), '25');
  // Live reservations are touched by their process and never reclaimed.
  await touchLiveReservations();
  assert.equal(await reclaimAbandonedReservations(), 0);
  assert.equal(await balanceOf(client.id), '25');
  // The process "died": nobody touched them for three minutes.
  await age(3);
  assert.equal(await reclaimAbandonedReservations(), 1, 'one pool credited');
  assert.equal(await balanceOf(client.id), '50');
  assert.equal(await reclaimAbandonedReservations(), 0);
  assert.equal(await balanceOf(client.id), '50', 'reclaimed twice');
});

test('settling or releasing after a reclaim does not give the coins back twice', async () => {
  const client = await limitedClient('30');
  const m = await model(admin);
  const key = await clientKey(admin, client.id);
  const settled = await reserveRow(client.id, '10');
  const released = await reserveRow(client.id, '10');
  await age(3);
  await reclaimAbandonedReservations();
  assert.equal(await balanceOf(client.id), '30');
  await releaseReservation(released);
  assert.equal(await balanceOf(client.id), '30', 'a release after a reclaim refunded again');
  await recordUsage({
    owner: { clientId: client.id },
    apiKeyId: key.id,
    modelId: m.id,
    reservation: settled,
    inputTokens: 1,
    outputTokens: 1,
    cost: exact('4'),
    status: 'ok',
    latencyMs: 5,
  });
  assert.equal(await balanceOf(client.id), '26', 'the late settlement is charged once');
});

test('a settlement retried after its answer was lost (it had committed) is recorded once, whether or not its reservation was reclaimed', async () => {
  // A settlement is retried when the database drops the connection, which can happen after the
  // statement committed: the retry, under the same record id, must change nothing.
  const client = await limitedClient('100');
  const m = await model(admin);
  const key = await clientKey(admin, client.id);
  const settle = (reservation: Awaited<ReturnType<typeof reserveRow>>, recordId: string) =>
    recordUsage({
      owner: { clientId: client.id },
      apiKeyId: key.id,
      modelId: m.id,
      reservation,
      inputTokens: 3,
      outputTokens: 1,
      cost: exact('2.5'),
      status: 'ok',
      latencyMs: 5,
      recordId,
    });
  const first = await reserveRow(client.id, '10');
  await settle(first, '0190f6a0-0000-7000-8000-000000000001');
  await settle(first, '0190f6a0-0000-7000-8000-000000000001');
  assert.equal(await balanceOf(client.id), '97.5', 'charged twice');
  // The same after a sweeper reclaimed the reservation between the two attempts.
  const second = await reserveRow(client.id, '10');
  await settle(second, '0190f6a0-0000-7000-8000-000000000002');
  await age(3);
  await reclaimAbandonedReservations();
  await settle(second, '0190f6a0-0000-7000-8000-000000000002');
  assert.equal(await balanceOf(client.id), '95', 'charged twice after a reclaim');
  assert.equal(await lumen.prisma.usageRecord.count({ where: { clientId: client.id } }), 2);
  const key2 = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
  assert.equal(key2.requests, 2);
  assert.equal(exact(key2.coinsSpent).toFixed(), '5');
  const perModel = await lumen.prisma.modelUsage.findFirstOrThrow({ where: { clientId: client.id, modelId: m.id } });
  assert.equal(perModel.requests, 2);
  assert.equal(exact(perModel.coinsSpent).toFixed(), '5');
});

test('an unlimited pool keeps no ledger', async () => {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  const reservation = await reserveCoins({ clientId: client.id }, exact('10'));
  assert.equal(reservation.id, null);
  assert.equal(await lumen.prisma.coinReservation.count({ where: { pool: { clientId: client.id } } }), 0);
});
