// A lone settlement has a statement of its own (domain/settleOneStatement.ts), shorter than
// the batch statement (domain/settleBatchStatement.ts) that writes everything else. Both
// must write the same rows: for every shape the short one covers, twin owners are settled
// the same way, one twin by each statement, and everything they wrote is compared, and
// checked against the figures it must add up to.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import type { Owner } from '../src/domain/owner.ts';
import { settleBatchStatement } from '../src/domain/settleBatchStatement.ts';
import { settleOneStatement } from '../src/domain/settleOneStatement.ts';
import { runSettlement, type Row } from '../src/domain/settlementQueue.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let modelId: string;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  modelId = (await model(admin)).id;
});
after(() => lumen.close());

type Statement = 'batch' | 'one';
interface Shape {
  owner: 'client' | 'user';
  leased: boolean;
}

/** An owner with a key, and a LIMITED pool holding one lease of `leased` coins, or an UNLIMITED pool. */
async function twin(shape: Shape, poolBalance: string, leased: string) {
  const owner: Owner = shape.owner === 'client' ? { clientId: (await lumen.client(admin)).id } : { userId: (await lumen.user()).viewer.id };
  await setCoinPool(
    admin.viewer,
    owner,
    shape.leased ? { state: 'LIMITED', capacity: '1000', balance: poolBalance } : { state: 'UNLIMITED' },
  );
  const poolId = (await lumen.prisma.coinPool.findFirstOrThrow({ where: owner })).id;
  const leaseId = shape.leased ? randomUUID() : null;
  if (leaseId) await lumen.prisma.coinLease.create({ data: { id: leaseId, poolId, instanceId: 'test', amount: leased } });
  const { apiKey } = await createApiKey(admin.viewer, owner, { name: 'twin' });
  return { owner, poolId: shape.leased ? poolId : null, leaseId, apiKeyId: apiKey.id };
}

type Twin = Awaited<ReturnType<typeof twin>>;

const rowOf = (t: Twin, id: string, coins: string, inputTokens: number, outputTokens: number): Row => ({
  id,
  apiKeyId: t.apiKeyId,
  clientId: t.owner.clientId ?? null,
  userId: t.owner.userId ?? null,
  modelId,
  inputTokens,
  outputTokens,
  coins,
  reservedCoins: '0.5',
  status: 'ok',
  latencyMs: 7,
  poolId: t.poolId,
  reservationId: null,
  refund: '0',
  leaseId: t.leaseId,
});

/** Runs one row through the chosen statement; returns the leases it reported gone. */
async function settleWith(statement: Statement, row: Row): Promise<string[]> {
  const one = settleOneStatement(row);
  assert.ok(one, 'the short statement covers this shape');
  const missing =
    statement === 'one'
      ? await runSettlement(one.statement, one.params)
      : await runSettlement(settleBatchStatement([row]), [JSON.stringify([row])]);
  return [...missing];
}

/** Everything a settlement writes for this twin, without the ids that differ between twins. */
async function written(t: Twin) {
  const ownerWhere = t.owner.clientId ? { clientId: t.owner.clientId } : { userId: t.owner.userId };
  const records = await lumen.prisma.usageRecord.findMany({ where: { apiKeyId: t.apiKeyId }, orderBy: { inputTokens: 'asc' } });
  const key = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: t.apiKeyId } });
  const perModel = await lumen.prisma.modelUsage.findMany({ where: ownerWhere });
  const rollups = await lumen.prisma.usageRollup.findMany({ where: { apiKeyId: t.apiKeyId } });
  const pool = await lumen.prisma.coinPool.findFirstOrThrow({ where: ownerWhere, include: { leases: true } });
  return {
    records: records.map((r) => ({
      owner: r.clientId === (t.owner.clientId ?? null) && r.userId === (t.owner.userId ?? null),
      modelId: r.modelId,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      coins: exact(r.coins).toFixed(),
      reservedCoins: r.reservedCoins === null ? null : exact(r.reservedCoins).toFixed(),
      status: r.status,
      latencyMs: r.latencyMs,
    })),
    key: {
      requests: Number(key.requests),
      inputTokens: Number(key.inputTokens),
      outputTokens: Number(key.outputTokens),
      coinsSpent: exact(key.coinsSpent).toFixed(),
      used: key.lastUsedAt !== null,
    },
    perModel: perModel.map((m) => ({
      modelId: m.modelId,
      requests: Number(m.requests),
      inputTokens: Number(m.inputTokens),
      outputTokens: Number(m.outputTokens),
      coinsSpent: exact(m.coinsSpent).toFixed(),
    })),
    rollups: {
      requests: rollups.reduce((n, r) => n + Number(r.requests), 0),
      coins: rollups.reduce((n, r) => n.plus(exact(r.coins)), exact(0)).toFixed(),
      owner: rollups.every((r) => r.clientId === (t.owner.clientId ?? null) && r.userId === (t.owner.userId ?? null)),
    },
    pool: exact(pool.balance).toFixed(),
    leases: pool.leases.map((l) => exact(l.amount).toFixed()),
  };
}

/**
 * Two settlements, then a retry of the second (as after a commit nobody saw), optionally with
 * the lease given back between the two; the same steps on both twins.
 */
async function scenario(shape: Shape, options: { poolBalance: string; leased: string; leaseGoneBeforeSecond: boolean }) {
  const outcomes: Record<Statement, { missing: string[][]; written: Awaited<ReturnType<typeof written>> }> = {} as never;
  for (const statement of ['batch', 'one'] as const) {
    const t = await twin(shape, options.poolBalance, options.leased);
    const missing: string[][] = [];
    missing.push(await settleWith(statement, rowOf(t, randomUUID(), '0.000045123456', 10, 12)));
    if (options.leaseGoneBeforeSecond && t.leaseId) await lumen.prisma.coinLease.delete({ where: { id: t.leaseId } });
    const second = rowOf(t, randomUUID(), '0.25', 20, 30);
    missing.push(await settleWith(statement, second));
    missing.push(await settleWith(statement, second));
    outcomes[statement] = {
      missing: missing.map((ids) => ids.map((id) => (id === t.leaseId ? 'the lease' : id))),
      written: await written(t),
    };
  }
  assert.deepEqual(outcomes.one, outcomes.batch, 'both statements wrote the same');
  return outcomes.one;
}

const spent = '0.250045123456';

test('a client key on a lease: record, lease, key, per-model counters and rollup', async () => {
  const { missing, written } = await scenario(
    { owner: 'client', leased: true },
    { poolBalance: '100', leased: '10', leaseGoneBeforeSecond: false },
  );
  assert.deepEqual(missing, [[], [], []]);
  assert.equal(written.records.length, 2, 'the retry recorded nothing twice');
  assert.deepEqual(written.key, { requests: 2, inputTokens: 30, outputTokens: 42, coinsSpent: spent, used: true });
  assert.deepEqual(written.perModel, [{ modelId, requests: 2, inputTokens: 30, outputTokens: 42, coinsSpent: spent }]);
  assert.deepEqual(written.rollups, { requests: 2, coins: spent, owner: true });
  assert.deepEqual(written.leases, [exact(10).minus(spent).toFixed()], 'the lease paid');
  assert.equal(written.pool, '100', 'the pool row was left alone');
});

test('a lease given back meanwhile: the pool pays, never below zero, and the lease is reported gone once', async () => {
  const { missing, written } = await scenario(
    { owner: 'client', leased: true },
    { poolBalance: '0.1', leased: '10', leaseGoneBeforeSecond: true },
  );
  assert.deepEqual(missing, [[], ['the lease'], []]);
  assert.deepEqual(written.leases, []);
  assert.equal(written.pool, '0', '0.1 − 0.25 stops at zero');
  assert.equal(written.key.coinsSpent, spent, 'the usage is recorded in full');
});

test('a personal key on a lease', async () => {
  const { written } = await scenario({ owner: 'user', leased: true }, { poolBalance: '5', leased: '1', leaseGoneBeforeSecond: false });
  assert.equal(written.records.length, 2);
  assert.ok(written.records.every((r) => r.owner));
  assert.deepEqual(written.perModel, [{ modelId, requests: 2, inputTokens: 30, outputTokens: 42, coinsSpent: spent }]);
  assert.deepEqual(written.leases, [exact(1).minus(spent).toFixed()]);
});

test('UNLIMITED pools, client and personal: no lease, no pool row touched', async () => {
  for (const owner of ['client', 'user'] as const) {
    const { missing, written } = await scenario({ owner, leased: false }, { poolBalance: '0', leased: '0', leaseGoneBeforeSecond: false });
    assert.deepEqual(missing, [[], [], []]);
    assert.equal(written.key.requests, 2);
    assert.equal(written.rollups.requests, 2);
    assert.equal(written.pool, '0');
  }
});

test('a per-request reservation is left to the batch statement', () => {
  const row = {
    ...rowOf({ owner: { clientId: randomUUID() }, poolId: randomUUID(), leaseId: null, apiKeyId: randomUUID() }, randomUUID(), '1', 1, 1),
    reservationId: randomUUID(),
  };
  assert.equal(settleOneStatement(row), null);
});
