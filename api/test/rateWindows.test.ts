// The counting behind the rate limits (domain/rateWindows.ts), on a clock the test drives:
// requests and tokens per window, the worst case corrected at settlement, a released request
// counting nothing, windows that reset; and, with a Redis of the test's own, many requests at
// once borrowing slices: exactly the limit admitted, none refused while Redis has some left.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  admit,
  configureRateWindows,
  isRefusal,
  maxSlice,
  shareRateWindows,
  stopSharingRateWindows,
  windowState,
  type LimitedScope,
  type RateAdmission,
  type RateRefusal,
} from '../src/domain/rateWindows.ts';
import { redisStatus } from '../src/events/bus.ts';
import { noRedisServer, startRedis, type RedisServer } from './support/redisServer.ts';

const WINDOW = 60_000;
let now = 0;
let scopes = 0;
const scope = (limits: Partial<LimitedScope> = {}): LimitedScope => ({
  scope: `test:${++scopes}`,
  requests: null,
  tokens: null,
  ...limits,
});

function admitted(result: RateAdmission | RateRefusal): RateAdmission {
  assert.ok(!isRefusal(result), `refused: ${JSON.stringify(result)}`);
  return result;
}

function refused(result: RateAdmission | RateRefusal): RateRefusal {
  assert.ok(isRefusal(result), 'admitted');
  return result;
}

describe('counting alone (no Redis)', () => {
  beforeEach(() => {
    now = 100 * WINDOW + 1_000;
    configureRateWindows({ now: () => now });
  });
  after(() => configureRateWindows());

  test('requests: the limit per window, then refused with the time to the reset, then a new window', async () => {
    const s = scope({ requests: 2 });
    admitted(await admit([s], 10));
    admitted(await admit([s], 10));
    const no = refused(await admit([s], 10));
    assert.deepEqual([no.dimension, no.limit, no.resetMs], ['requests', 2, 59_000]);
    assert.equal(no.scope, s);
    now += 59_000;
    admitted(await admit([s], 10));
    assert.equal(windowState(s.scope).requests, 1);
  });

  test('tokens: admitted while below the limit, the worst case counted until settled', async () => {
    const s = scope({ tokens: 100 });
    const first = admitted(await admit([s], 80));
    // 80 < 100: one more is admitted, though its worst case passes the limit.
    const second = admitted(await admit([s], 80));
    assert.equal(windowState(s.scope).tokens, 160);
    assert.equal(refused(await admit([s], 1)).dimension, 'tokens');
    first.settle(10);
    second.settle(20);
    assert.equal(windowState(s.scope).tokens, 30);
    admitted(await admit([s], 80));
  });

  test('a released request counts nothing; settling twice counts once', async () => {
    const s = scope({ requests: 1, tokens: 50 });
    const request = admitted(await admit([s], 40));
    request.release();
    request.settle(0);
    assert.deepEqual([windowState(s.scope).requests, windowState(s.scope).tokens], [0, 0]);
    admitted(await admit([s], 40)).settle(5);
    assert.deepEqual([windowState(s.scope).requests, windowState(s.scope).tokens], [1, 5]);
  });

  test('both levels must pass, and a refusal at one counts nothing at the other', async () => {
    const key = scope({ requests: 5 });
    const owner = scope({ requests: 1 });
    admitted(await admit([key, owner], 1));
    const no = refused(await admit([key, owner], 1));
    assert.equal(no.scope, owner);
    assert.equal(windowState(key.scope).requests, 1);
  });

  test('a settlement after its window ended changes nothing in the new one', async () => {
    const s = scope({ tokens: 100 });
    const late = admitted(await admit([s], 90));
    now += WINDOW;
    admitted(await admit([s], 30));
    late.settle(0);
    assert.equal(windowState(s.scope).tokens, 30);
  });
});

describe('sharing through Redis', { skip: noRedisServer }, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
    now = 200 * WINDOW + 1_000;
    configureRateWindows({ now: () => now });
    await shareRateWindows(redis.url);
    const until = Date.now() + 20_000;
    while (redisStatus() !== 'ok' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(redisStatus(), 'ok');
  });
  after(async () => {
    await stopSharingRateWindows();
    configureRateWindows();
    await redis?.destroy();
  });

  test('many requests at once: exactly the limit admitted, in slices of at most S', async () => {
    const s = scope({ requests: 40 });
    const results = await Promise.all(Array.from({ length: 100 }, () => admit([s], 1)));
    assert.equal(results.filter((r) => !isRefusal(r)).length, 40);
    assert.equal(maxSlice(40), 5);
  });

  test('tokens: at most one worst case over the limit', async () => {
    const s = scope({ tokens: 1000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => admit([s], 30)));
    const count = results.filter((r) => !isRefusal(r)).length;
    assert.ok(count * 30 >= 1000 && count * 30 < 1000 + 30, `${count} admitted`);
  });
});
