// Two Lumen servers on one PostgreSQL and one Redis: a manager subscribed on A and
// removed through B loses the subscription on A at once, and hears nothing of the
// client after the removal. Needs LUMEN_TEST_DATABASE_URL and REDIS_TEST_URL (CI
// sets both); skipped otherwise.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { createAccessToken } from '../src/domain/auth.ts';
import { addClientManager, createClient } from '../src/domain/clients.ts';
import { createUser } from '../src/domain/users.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { graphql } from './gql/index.ts';
import { gqlOn, startServer, stopServer, subscribeOn, type Instance } from './support/instances.ts';
import { gid } from './support/lumen.ts';
import { createScratchDatabase, type ScratchDatabase } from './support/scratchDatabase.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_TEST_URL;
const skip = !adminUrl || !redisUrl ? 'needs LUMEN_TEST_DATABASE_URL (PostgreSQL) and REDIS_TEST_URL (Redis); CI sets both' : false;

describe('subscription access across two instances', { skip }, () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let a: Instance;
  let b: Instance;
  let adminToken: string;
  let managerToken: string;
  let managerId: string;
  let clientId: string;

  before(async () => {
    scratch = await createScratchDatabase(adminUrl!, 'lumen_test_live_access');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: scratch.url,
      REDIS_URL: redisUrl!,
      LUMEN_SECRET: randomBytes(32).toString('base64url'),
      LUMEN_DATA_DIR: path.join(os.tmpdir(), `lumen-live-access-${process.pid}`),
      LUMEN_ADMIN_EMAIL: 'first-admin@example.org',
    };
    // Seeded here with the servers' secret, so that token hashes match.
    database = await openLumen(loadConfig(env), { purpose: 'test' });
    const admin = await createUser(null, { email: 'admin@example.org', name: 'Admin', isAdmin: true });
    const viewer = { id: admin.id, email: admin.email, name: admin.name, isAdmin: true };
    adminToken = (await createAccessToken(null, admin.id, { name: 'test' })).token;
    const manager = await createUser(null, { email: 'manager@example.org', name: 'Manager' });
    managerId = manager.id;
    managerToken = (await createAccessToken(null, manager.id, { name: 'test' })).token;
    clientId = (await createClient(viewer, { name: 'Watched' })).id;
    await addClientManager(viewer, clientId, manager.id);
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  });

  after(async () => {
    await Promise.all([stopServer(a), stopServer(b)]);
    if (database) await closeLumen(database);
    await scratch?.drop();
  });

  const gql = async (instance: Instance, query: string, variables: Record<string, unknown>) => {
    const result = await gqlOn(instance, adminToken, query, variables);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data;
  };
  const createKeyOnB = (name: string) =>
    gql(b, 'mutation($c: ID!, $n: String!) { createApiKey(input: { clientId: $c, name: $n }) { secret } }', {
      c: gid('Client', clientId),
      n: name,
    });

  test('a manager subscribed on A and removed through B gets FORBIDDEN on A, and no later event', async () => {
    const events = await subscribeOn(
      a,
      managerToken,
      graphql(`
        subscription SubscriptionAccessInstances_ClientUsage($c: ID!) {
          clientUsage(clientId: $c) {
            change
            apiKey {
              name
            }
          }
        }
      `),
      { c: gid('Client', clientId) },
    );
    try {
      // A listens on Redis a moment after the stream opens: make events on B until A hears one (bounded).
      const pending = events.next();
      let heard: Awaited<typeof pending> = null;
      for (let attempt = 0; attempt < 20 && !heard; attempt++) {
        await createKeyOnB(`probe ${attempt}`);
        heard = await Promise.race([pending, new Promise<null>((resolve) => setTimeout(() => resolve(null), 500))]);
      }
      assert.ok(heard, 'A never heard of the keys created on B');
      assert.equal(heard.data?.clientUsage.change, 'KEY_CREATED');
      // Events of probes A heard late come first; the removal's error must come before any later event.
      await gql(b, 'mutation($c: ID!, $u: ID!) { removeClientManager(input: { clientId: $c, userId: $u }) { client { id } } }', {
        c: gid('Client', clientId),
        u: gid('User', managerId),
      });
      await createKeyOnB('after removal');
      let message = await events.next();
      while (message?.data?.clientUsage.apiKey?.name.startsWith('probe')) message = await events.next();
      assert.ok(message?.errors, `expected FORBIDDEN, got ${JSON.stringify(message)}`);
      assert.equal(message.errors[0].extensions?.code, 'FORBIDDEN', JSON.stringify(message.errors));
      assert.equal(await events.next(), null, 'the stream did not end');
    } finally {
      await events.close();
    }
  });
});
