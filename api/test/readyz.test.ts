// Health for orchestrators: /healthz is liveness (the process serves; no database
// query, so an outage does not get every instance restarted) and /readyz is readiness,
// always with the body { database, migrations, draining, redis }.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { routeOf } from '../src/metrics.ts';
import { drain } from '../src/v1/inFlight.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

const ready = async () => {
  const response = await lumen.fetch('/readyz');
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    cacheControl: response.headers.get('cache-control'),
  };
};

test('/readyz: 200 with every part named when the database answers, its migrations are applied and the instance is not stopping', async () => {
  const { status, body, cacheControl } = await ready();
  assert.equal(status, 200);
  // Redis is not part of the verdict: without REDIS_URL it is "off" and the instance is ready.
  assert.deepEqual(body, { database: 'ok', migrations: 'ok', draining: false, redis: 'off' });
  assert.equal(cacheControl, 'no-store');
  assert.equal(routeOf('/readyz'), '/readyz', 'a metrics route label of its own');
});

test('/healthz is liveness: 200 without asking the database', async () => {
  const { result: response, count } = await lumen.countQueries(() => lumen.fetch('/healthz'));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: 'ok' });
  assert.equal(count, 0, 'a liveness check that queries the database fails with it, and gets every instance restarted');
});

test('/readyz: 503 with migrations "pending" when the database lacks one of this version\'s migrations', async () => {
  const [latest] = await lumen.prisma.$queryRaw<
    { id: string }[]
  >`SELECT "id" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`;
  await lumen.prisma.$executeRaw`UPDATE "_prisma_migrations" SET "rolled_back_at" = now() WHERE "id" = ${latest.id}`;
  try {
    const { status, body } = await ready();
    assert.equal(status, 503);
    assert.deepEqual(body, { database: 'ok', migrations: 'pending', draining: false, redis: 'off' });
  } finally {
    await lumen.prisma.$executeRaw`UPDATE "_prisma_migrations" SET "rolled_back_at" = NULL WHERE "id" = ${latest.id}`;
  }
  assert.equal((await ready()).status, 200);
});

// Last: draining cannot be undone in a process.
test('/readyz: 503 with draining true once the instance is stopping, while /healthz still answers', async () => {
  await drain(0);
  const { status, body } = await ready();
  assert.equal(status, 503);
  assert.deepEqual(body, { database: 'ok', migrations: 'ok', draining: true, redis: 'off' });
  assert.equal((await lumen.fetch('/healthz')).status, 200);
});
