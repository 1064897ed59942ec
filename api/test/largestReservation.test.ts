// CoinPool.largestRecentReservation: the worst-case cost each request reserved at admission
// is recorded with its usage (UsageRecord.reservedCoins, in any pool state), and the pool
// reports the largest among the owner's last 20 requests, for the UI's low-balance warning.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { exact } from '../src/domain/coins.ts';
import { priceOf } from '../src/domain/metering.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { clientKey, model, openai, pool } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const hello = [{ role: 'user' as const, content: 'hello big world' }];

const largestOfClient = async (clientGlobalId: string) =>
  (
    assertOk(
      await lumen.gql('query($c: ID!) { client(id: $c) { coinPool { largestRecentReservation balance } } }', { c: clientGlobalId }, admin),
    ) as { client: { coinPool: { largestRecentReservation: string | null; balance: string | null } } }
  ).client.coinPool;

test('each record keeps its worst case, and the pool reports the largest of the last 20', async () => {
  const m = await model(admin, { inputCoinsPerMillion: '1000', outputCoinsPerMillion: '3000', maxOutputTokens: 2000 });
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'LIMITED', capacity: '1000', balance: '1000' });
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, null, 'no requests yet');
  const ai = openai((await clientKey(admin, client.id)).secret);
  await ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 10 });
  await ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 1000 });
  const records = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id }, orderBy: { createdAt: 'asc' } });
  const [small, large] = records.map((r) => exact(r.reservedCoins!));
  // The same prompt: the two worst cases differ by exactly 990 more output tokens at the output price.
  assert.equal(large.minus(small).toFixed(), priceOf(m, 0, 990).toFixed());
  for (const r of records) assert.ok(exact(r.coins).lessThanOrEqualTo(exact(r.reservedCoins!)), 'a request costs at most its reservation');
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, large.toFixed());
  // Twenty smaller requests later, the large one is out of the window.
  for (let i = 0; i < 19; i++) await ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 10 });
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, large.toFixed(), 'still among the last 20');
  await ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 10 });
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, small.toFixed());
});

test('an UNLIMITED pool records worst cases too (it reserves nothing), so a switch to LIMITED can be judged', async () => {
  const m = await model(admin);
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  await openai((await clientKey(admin, client.id)).secret).chat.completions.create({ model: m.name, messages: hello, max_tokens: 7 });
  const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { clientId: client.id } });
  assert.ok(record.reservedCoins && exact(record.reservedCoins).greaterThan(exact(record.coins)));
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, exact(record.reservedCoins).toFixed());
});

test("a user's personal pool reports the largest of their personal keys' requests only", async () => {
  const m = await model(admin);
  const user = await lumen.user();
  await setCoinPool(admin.viewer, { userId: user.id }, { state: 'UNLIMITED' });
  const { secret } = await createApiKey(user.viewer, { userId: user.id }, { name: 'mine' });
  await openai(secret).chat.completions.create({ model: m.name, messages: hello, max_tokens: 3 });
  const record = await lumen.prisma.usageRecord.findFirstOrThrow({ where: { userId: user.id } });
  const seen = assertOk(await lumen.gql('{ viewer { coinPool { largestRecentReservation } } }', {}, user)) as {
    viewer: { coinPool: { largestRecentReservation: string | null } };
  };
  assert.equal(seen.viewer.coinPool.largestRecentReservation, exact(record.reservedCoins!).toFixed());
});

test('records from before the column existed (null) are ignored, not counted as zero', async () => {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  const m = await model(admin);
  await openai((await clientKey(admin, client.id)).secret).chat.completions.create({ model: m.name, messages: hello, max_tokens: 5 });
  await lumen.prisma.usageRecord.updateMany({ where: { clientId: client.id }, data: { reservedCoins: null } });
  assert.equal((await largestOfClient(client.globalId)).largestRecentReservation, null);
});
