// PostgreSQL unreachable: requests fail fast with 503 (OpenAI's envelope and retry-after
// on /v1, SERVICE_UNAVAILABLE in GraphQL), /readyz says so while /healthz stays up, a
// request whose upstream answered during the outage is settled once the database is
// back (never lost, never twice), and everything recovers by itself. A TCP proxy between
// Lumen and PostgreSQL plays the outage. Needs a real PostgreSQL (LUMEN_TEST_DATABASE_URL).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { exact } from '../src/domain/coins.ts';
import { openLumen } from '../src/lumen.ts';
import { createScratchDatabase, type ScratchDatabase } from './support/scratchDatabase.ts';
import { TestLumen, type TestUser } from './support/lumen.ts';
import { answer, startUpstream, usageOf, type TestUpstream, type UpstreamBody } from './support/upstream.ts';
import { clientKey, model, openai, pool, sum, shownPool } from './support/v1.ts';

const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored on the same port. */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.sockets.delete(socket));
      }
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = null;
  }
}

describe('PostgreSQL unreachable', { skip: adminUrl ? false : 'needs a real PostgreSQL to cut off: set LUMEN_TEST_DATABASE_URL' }, () => {
  let scratch: ScratchDatabase;
  let proxy: CuttableProxy;
  let lumen: TestLumen;
  let admin: TestUser;
  let upstream: TestUpstream;
  /** A connection to the database that bypasses the proxy, for looking while Lumen cannot. */
  let direct: pg.Client;
  /** Requests the upstream holds until the test lets them answer. */
  const held: { res: ServerResponse; body: UpstreamBody }[] = [];

  before(async () => {
    scratch = await createScratchDatabase(adminUrl!, 'lumen_test_outage');
    const target = new URL(scratch.url);
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(scratch.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const config = loadConfig({
      NODE_ENV: 'test',
      LUMEN_SECRET: randomBytes(32).toString('base64url'),
      LUMEN_DATA_DIR: path.join(os.tmpdir(), `lumen-test-${process.pid}`),
      DATABASE_URL: viaProxy.toString(),
      LUMEN_PUBLIC_URL: 'http://lumen.test',
    });
    lumen = new TestLumen(await openLumen(config, { purpose: 'outage test' }), null);
    admin = await lumen.user({ admin: true });
    direct = new pg.Client({ connectionString: scratch.url });
    await direct.connect();
    process.env.LUMEN_UPSTREAM_KEY_OUTAGE_TEST = 'upstream-secret-outage';
    upstream = await startUpstream();
    upstream.handler = (res, body) => held.push({ res, body });
  });
  after(async () => {
    await upstream?.close();
    await lumen?.close().catch(() => undefined);
    await proxy?.cut();
    await direct?.end();
    await scratch?.drop();
  });

  const hello = [{ role: 'user' as const, content: 'Hello' }];
  const untilHeld = async (count: number) => {
    while (held.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  test('requests fail fast with 503, an answered request is settled when the database returns, and all recovers by itself', async () => {
    const m = await model(admin, {
      provider: 'openai-compatible',
      upstreamModel: 'up',
      upstreamBaseUrl: upstream.url,
      upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_OUTAGE_TEST',
      inputCoinsPerMillion: '2.5',
      outputCoinsPerMillion: '2000',
      maxOutputTokens: 100,
    });
    const client = await lumen.client(admin);
    await pool(admin, client.id, { state: 'LIMITED', capacity: '1000', balance: '1000' });
    const key = await clientKey(admin, client.id);
    const ai: OpenAI = openai(key.secret);
    const ask = () => ai.chat.completions.create({ model: m.name, messages: hello, max_tokens: 50 });

    // Before: one request end to end.
    const warmUp = ask();
    await untilHeld(1);
    answer(held[0].res, usageOf(9, 20), 'before');
    assert.equal((await warmUp).choices[0].message.content, 'before');

    // Admitted (its coins reserved), forwarded, and held by the upstream while the database goes away.
    const admitted = ask();
    await untilHeld(2);
    await proxy.cut();
    answer(held[1].res, usageOf(9, 40), 'during');
    // The upstream answered, so the caller gets the answer; the usage waits for the database.
    assert.equal((await admitted).choices[0].message.content, 'during');
    // Its coins came from this instance's lease, whose row is lowered only when the settlement commits.
    const [{ n: leases, amount: leased }] = (
      await direct.query(`SELECT count(*)::int AS n, coalesce(sum("amount"), 0)::text AS amount FROM "CoinLease"`)
    ).rows;
    assert.equal(leases, 1, 'the lease holding the coins of the answered request is kept until it is settled');

    // New requests are refused at once, in OpenAI's shape, with a retry hint.
    let seen: unknown;
    try {
      await ask();
    } catch (error) {
      seen = error;
    }
    assert.ok(seen instanceof OpenAI.APIError, `not refused: ${seen}`);
    assert.equal(seen.status, 503);
    assert.equal(seen.code, 'database_unavailable');
    assert.equal(seen.type, 'server_error');
    assert.match(seen.message, /retry/);
    assert.equal(seen.headers?.get('retry-after'), '2');
    assert.equal(held.length, 2, 'a request was forwarded without coins reserved');

    const graphql = await lumen.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ query: '{ clients(first: 1) { totalCount } }' }),
    });
    const result = (await graphql.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(graphql.status, 503, JSON.stringify(result));
    assert.equal(result.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', JSON.stringify(result));

    const readyz = await lumen.fetch('/readyz');
    assert.equal(readyz.status, 503);
    assert.deepEqual(await readyz.json(), { database: 'unreachable', migrations: 'unknown', draining: false, redis: 'off' });
    assert.equal((await lumen.fetch('/healthz')).status, 200, 'liveness must not follow the database');
    assert.match(
      await (await lumen.fetch('/metrics')).text(),
      /^lumen_unsettled_requests 1$/m,
      'the waiting usage is visible to monitoring',
    );

    // The database comes back: the queued settlement is recorded by itself.
    await proxy.open();
    let records = 0;
    for (let attempt = 0; attempt < 600 && records < 2; attempt++) {
      records = (await direct.query(`SELECT count(*)::int AS n FROM "UsageRecord" WHERE "clientId" = $1`, [client.id])).rows[0].n;
      if (records < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(records, 2, 'the answered request was not recorded after the outage');
    const [{ amount: leasedAfter }] = (await direct.query(`SELECT coalesce(sum("amount"), 0)::text AS amount FROM "CoinLease"`)).rows;
    assert.equal(
      exact(leased).minus(exact(leasedAfter)).toFixed(),
      exact('2.5').times(9).plus(exact(2000).times(40)).dividedBy(1_000_000).toFixed(),
      'the lease was charged the cost of the request answered during the outage, once',
    );

    // Recovery: requests, GraphQL and readiness work again without anyone's help.
    const afterwards = ask();
    await untilHeld(3);
    answer(held[2].res, usageOf(9, 10), 'after');
    assert.equal((await afterwards).choices[0].message.content, 'after');
    assert.equal((await lumen.gql('{ clients(first: 1) { totalCount } }', {}, admin)).errors, undefined);
    assert.equal((await lumen.fetch('/readyz')).status, 200);
    assert.match(await (await lumen.fetch('/metrics')).text(), /^lumen_unsettled_requests 0$/m);

    // Balance identity, exactly: capacity - balance = Σ usage + Σ reservations still open.
    const usage = await lumen.prisma.usageRecord.findMany({ where: { clientId: client.id } });
    assert.equal(usage.length, 3, 'every answered request is recorded, once');
    assert.deepEqual(
      usage.map((u) => u.outputTokens).sort((a, b) => a - b),
      [10, 20, 40],
    );
    const open = await lumen.prisma.coinReservation.findMany({ where: { pool: { clientId: client.id } } });
    assert.equal(open.length, 0, 'a reservation outlived its settlement');
    const { balance } = await shownPool(lumen.prisma, client.id);
    assert.equal(
      exact(1000).minus(exact(balance)).toFixed(),
      sum(usage.map((u) => u.coins))
        .plus(sum(open.map((r) => r.amount)))
        .toFixed(),
    );
    const expected = [20, 40, 10].reduce(
      (total, out) => total.plus(exact('2.5').times(9).plus(exact(2000).times(out)).dividedBy(1_000_000)),
      exact(0),
    );
    assert.equal(sum(usage.map((u) => u.coins)).toFixed(), expected.toFixed(), 'billed other than the upstream reported');
  });
});
