// Graceful shutdown: a server stopped with SIGTERM in the middle of load finishes
// the /v1 requests it admitted and records their usage; nothing is half-billed and
// no reservation is left behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createScratchDatabase } from './support/scratchDatabase.ts';
import { spawnServer } from './support/spawnServer.ts';
import { model, shownPool } from './support/v1.ts';
import { loadConfig } from '../src/config.ts';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { exact } from '../src/domain/coins.ts';
import { setCoinPool } from '../src/domain/coinPools.ts';
import { createClient } from '../src/domain/clients.ts';
import { createUser } from '../src/domain/users.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';

const secret = randomBytes(32).toString('base64url');
let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | null = null;

const env = () => ({ NODE_ENV: 'test', LUMEN_SECRET: secret, LUMEN_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' });
/** What /v1 answered, or why there was no answer. */
interface ChatAnswer {
  usage?: { total_tokens: number };
  error?: unknown;
}

const open = () => openLumen(loadConfig(env()), { purpose: 'shutdown test' });

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-shutdown-'));
  const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
  if (adminUrl) {
    const scratch = await createScratchDatabase(adminUrl, 'lumen_test_shutdown');
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
});
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await dropDatabase?.();
});

test('SIGTERM mid-load: every admitted request is recorded, the rest refused, none half-billed', async () => {
  // Seed while the server is not running (the embedded database has one opener at a time).
  let database = await open();
  const user = await createUser(null, { email: 'ops@example.org', name: 'Ops', isAdmin: true });
  const viewer = { id: user.id, email: user.email, name: user.name, isAdmin: true };
  const client = await createClient(viewer, { name: 'Under load' });
  await setCoinPool(viewer, { clientId: client.id }, { state: 'LIMITED', capacity: '1000', balance: '1000' });
  await model(
    { viewer },
    { name: 'slow-echo', upstreamModel: 'echo?delay=600', inputCoinsPerMillion: '1000', outputCoinsPerMillion: '3000' },
  );
  const { secret: key } = await createApiKey(viewer, { clientId: client.id }, { name: 'load' });
  await closeLumen(database);

  const { child: server, port, output, exited } = await spawnServer({ env: { ...env(), PORT: '0', REDIS_URL: '' }, timeoutMs: 60_000 });

  const send = () =>
    fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'slow-echo', messages: [{ role: 'user', content: 'count these words please' }], max_tokens: 50 }),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as ChatAnswer }),
      (error) => ({ status: 0, body: { error: String(error) } as ChatAnswer }),
    );
  const first = Array.from({ length: 12 }, send);
  // Once the first requests are in flight (each takes 600 ms upstream), stop the server.
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const late = Array.from({ length: 6 }, send);
  const results = await Promise.all([...first, ...late]);
  assert.equal(await exited, 0, `the server did not stop cleanly:\n${output()}`);

  const ok = results.filter((r) => r.status === 200);
  if (process.env.SHOW_STATUSES) console.log(results.map((r) => r.status).join(' '));
  const refused = results.filter((r) => r.status !== 200);
  assert.ok(ok.length > 0, `no request was admitted before the stop: ${JSON.stringify(results.map((r) => r.status))}`);
  for (const r of ok) assert.ok((r.body.usage?.total_tokens ?? 0) > 0, 'a 200 without usage');
  for (const r of refused) assert.ok(r.status === 0 || r.status === 503, `unexpected answer ${r.status}: ${JSON.stringify(r.body)}`);

  database = await open();
  try {
    const records = await database.prisma.usageRecord.findMany({ where: { clientId: client.id } });
    assert.equal(records.length, ok.length, 'admitted requests and usage records differ');
    assert.ok(
      records.every((r) => r.status === 'ok'),
      'a request was recorded as cut off',
    );
    const spent = records.reduce((sum, r) => sum.plus(exact(r.coins)), exact(0));
    const pool = await shownPool(database.prisma, client.id);
    assert.equal(exact(pool.balance).toFixed(), exact(1000).minus(spent).toFixed(), 'a reservation was left behind or a cost was lost');
    assert.equal(await database.prisma.coinReservation.count(), 0, 'a reservation row outlived its request');
    const billed = ok.reduce((sum, r) => sum + (r.body.usage?.total_tokens ?? 0), 0);
    assert.equal(
      records.reduce((sum, r) => sum + r.inputTokens + r.outputTokens, 0),
      billed,
    );
  } finally {
    await closeLumen(database);
  }
});
