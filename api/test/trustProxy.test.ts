// LUMEN_TRUST_PROXY: behind n proxies the client is the n-th X-Forwarded-For entry
// from the right; entries further left are the client's own words and never count.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { RATE_LIMITS } from '../src/http/limits.ts';
import { addressOf, resetRateLimits } from '../src/http/rateLimits.ts';
import { yoga } from '../src/yoga.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen({ LUMEN_TRUST_PROXY: 'true' });
});
after(() => {
  resetRateLimits();
  return lumen.close();
});

test('LUMEN_TRUST_PROXY is false, true or a number of proxies', () => {
  const trust = (value?: string) => loadConfig({ NODE_ENV: 'test', LUMEN_TRUST_PROXY: value }).trustProxy;
  assert.equal(trust(undefined), 0);
  assert.equal(trust('false'), 0);
  assert.equal(trust('true'), 1);
  assert.equal(trust('2'), 2);
  for (const bad of ['yes', '-1', '1.5', 'loopback']) {
    assert.throws(
      () => trust(bad),
      (error: Error) => error instanceof ConfigError && /LUMEN_TRUST_PROXY/.test(error.message),
      bad,
    );
  }
});

test('the client address ignores what the client wrote into X-Forwarded-For', () => {
  const peer = '10.0.0.2';
  // No proxy trusted: the header is the client's own words.
  assert.equal(addressOf('203.0.113.7', peer, 0), peer);
  // One proxy (nginx appends the address it was connected from): the last entry.
  assert.equal(addressOf('198.51.100.66, 203.0.113.7', peer, 1), '203.0.113.7');
  assert.equal(addressOf('203.0.113.7', peer, 1), '203.0.113.7');
  // Two proxies: the second entry from the right; a spoofed left part changes nothing.
  assert.equal(addressOf('198.51.100.66, 192.0.2.1, 203.0.113.7, 10.0.0.1', peer, 2), '203.0.113.7');
  // Fewer entries than proxies: the request did not pass through them all, so the socket's peer counts.
  assert.equal(addressOf('203.0.113.7', peer, 2), peer);
  assert.equal(addressOf(null, peer, 1), peer);
  assert.equal(addressOf(' , ', peer, 1), peer);
});

test('behind one proxy, a spoofed X-Forwarded-For does not escape the sign-in limit', async () => {
  resetRateLimits();
  // As yoga's Node adapter passes them: the socket is the proxy's.
  const viaProxy = (forwardedFor: string) =>
    yoga.fetch(new Request('http://lumen.test/auth/login?token=lnk_nonsense', { headers: { 'x-forwarded-for': forwardedFor } }), {
      req: { socket: { remoteAddress: '10.0.0.1' } },
    } as never);
  const statuses: number[] = [];
  for (let i = 0; i < RATE_LIMITS.signIn.points + 2; i++) statuses.push((await viaProxy(`192.0.2.${i}, 203.0.113.7`)).status);
  assert.deepEqual(statuses.slice(RATE_LIMITS.signIn.points), [429, 429]);
  // Another client behind the same proxy has a bucket of its own.
  assert.equal((await viaProxy('203.0.113.8')).status, 303);
  resetRateLimits();
});
