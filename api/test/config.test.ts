// Configuration is read once, at start, by config.ts: a wrong value stops Lumen with a
// message that names the variable, instead of turning into NaN or a crash later.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startupFailure } from '../src/startupFailure.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

const base = { NODE_ENV: 'test' };

/** Asserts that `env` is refused, naming `variable` in the message the server prints at start. */
function assertRefused(env: Record<string, string>, variable: string) {
  let thrown: unknown;
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ConfigError, `${JSON.stringify(env)} was accepted`);
  assert.match(startupFailure(thrown, null) ?? '', new RegExp(`\\b${variable}\\b`), JSON.stringify(env));
}

test('defaults: 10 pooled connections, a 5-minute upstream timeout, info logs (silent under test), /metrics open', () => {
  const development = loadConfig({ NODE_ENV: 'development' });
  assert.equal(development.dbPoolSize, 10);
  assert.equal(development.upstreamTimeoutMs, 300_000);
  assert.equal(development.logLevel, 'info');
  assert.equal(development.metricsToken, null);
  assert.equal(loadConfig(base).logLevel, 'silent');
  assert.equal(loadConfig({ ...base, LUMEN_DB_POOL_SIZE: '', LUMEN_UPSTREAM_TIMEOUT_MS: '', LUMEN_METRICS_TOKEN: '' }).dbPoolSize, 10);
});

test('set values are read once, into the configuration', () => {
  const config = loadConfig({
    ...base,
    LUMEN_DB_POOL_SIZE: '25',
    LUMEN_UPSTREAM_TIMEOUT_MS: '400',
    LUMEN_LOG_LEVEL: 'debug',
    LUMEN_METRICS_TOKEN: ' scrape-me ',
  });
  assert.equal(config.dbPoolSize, 25);
  assert.equal(config.upstreamTimeoutMs, 400);
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.metricsToken, 'scrape-me');
});

test('a wrong LUMEN_DB_POOL_SIZE stops Lumen at start, naming it', () => {
  for (const bad of ['abc', '0', '-1', '1.5', '10 connections', '100000']) assertRefused({ LUMEN_DB_POOL_SIZE: bad }, 'LUMEN_DB_POOL_SIZE');
});

test('a wrong LUMEN_UPSTREAM_TIMEOUT_MS stops Lumen at start, naming it', () => {
  for (const bad of ['abc', '0', '30s', '1e3', '3600001']) assertRefused({ LUMEN_UPSTREAM_TIMEOUT_MS: bad }, 'LUMEN_UPSTREAM_TIMEOUT_MS');
});

test('a wrong LUMEN_LOG_LEVEL stops Lumen at start, naming it', () => {
  for (const bad of ['loud', 'INFO', 'warning']) assertRefused({ LUMEN_LOG_LEVEL: bad }, 'LUMEN_LOG_LEVEL');
});

test('a LUMEN_METRICS_TOKEN no Authorization header can carry stops Lumen at start, naming it', () => {
  for (const bad of ['tökén', 'line\nbreak']) assertRefused({ LUMEN_METRICS_TOKEN: bad }, 'LUMEN_METRICS_TOKEN');
});

test('LUMEN_API_KEY_MAX_DAYS: unset, keys may never expire; set, a whole number of days from 1 to 36500', () => {
  assert.equal(loadConfig(base).apiKeyMaxDays, null);
  assert.equal(loadConfig({ ...base, LUMEN_API_KEY_MAX_DAYS: '' }).apiKeyMaxDays, null);
  assert.equal(loadConfig({ ...base, LUMEN_API_KEY_MAX_DAYS: ' 90 ' }).apiKeyMaxDays, 90);
  assert.equal(loadConfig({ ...base, LUMEN_API_KEY_MAX_DAYS: '36500' }).apiKeyMaxDays, 36_500);
  for (const bad of ['0', '-1', '1.5', '90d', 'never', '1e3', '36501'])
    assertRefused({ LUMEN_API_KEY_MAX_DAYS: bad }, 'LUMEN_API_KEY_MAX_DAYS');
});

test('LUMEN_USAGE_RECORD_RETENTION_DAYS: unset, records are kept forever; set, a whole number of days from 1 to 36500', () => {
  assert.equal(loadConfig(base).usageRecordRetentionDays, null);
  assert.equal(loadConfig({ ...base, LUMEN_USAGE_RECORD_RETENTION_DAYS: ' 400 ' }).usageRecordRetentionDays, 400);
  for (const bad of ['0', '-3', '2.5', '30d', 'forever', '36501'])
    assertRefused({ LUMEN_USAGE_RECORD_RETENTION_DAYS: bad }, 'LUMEN_USAGE_RECORD_RETENTION_DAYS');
});

test('a wrong NODE_ENV or LUMEN_TRUST_PROXY stops Lumen at start, naming it', () => {
  assertRefused({ NODE_ENV: 'staging' }, 'NODE_ENV');
  assertRefused({ LUMEN_TRUST_PROXY: 'yes' }, 'LUMEN_TRUST_PROXY');
});

test('LUMEN_GRAPHIQL: on in development, off elsewhere unless set; in production it needs LUMEN_GRAPHQL_INTROSPECTION', () => {
  const production = { NODE_ENV: 'production', LUMEN_SECRET: 'a'.repeat(32) };
  assert.equal(loadConfig({ NODE_ENV: 'development' }).graphiql, null, 'unset: decided by NODE_ENV (http/graphiql.ts)');
  assert.equal(loadConfig({ NODE_ENV: 'development', LUMEN_GRAPHIQL: 'false' }).graphiql, false);
  assert.equal(loadConfig({ ...production, LUMEN_GRAPHIQL: 'true', LUMEN_GRAPHQL_INTROSPECTION: 'true' }).graphiql, true);
  for (const introspection of [{}, { LUMEN_GRAPHQL_INTROSPECTION: 'false' }]) {
    let message = '';
    try {
      loadConfig({ ...production, LUMEN_GRAPHIQL: 'true', ...introspection });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      message = startupFailure(error, null) ?? '';
    }
    assert.match(message, /\bLUMEN_GRAPHIQL=true\b.*\bLUMEN_GRAPHQL_INTROSPECTION=true\b/, 'the start-up failure names both');
  }
  // Outside production introspection is always on, so GraphiQL alone is fine.
  assert.equal(loadConfig({ ...base, LUMEN_GRAPHIQL: 'true' }).graphiql, true);
  for (const bad of ['yes', '1', 'TRUE']) assertRefused({ LUMEN_GRAPHIQL: bad }, 'LUMEN_GRAPHIQL');
});

test('every problem is listed at once', () => {
  assert.throws(
    () => loadConfig({ ...base, LUMEN_DB_POOL_SIZE: 'abc', LUMEN_LOG_LEVEL: 'loud' }),
    (error: Error) => /LUMEN_DB_POOL_SIZE/.test(error.message) && /LUMEN_LOG_LEVEL/.test(error.message),
  );
});

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen({ LUMEN_METRICS_TOKEN: 'scrape-me' });
});
after(() => lumen.close());

test('with LUMEN_METRICS_TOKEN, /metrics answers only its bearer', async () => {
  assert.equal((await lumen.fetch('/metrics')).status, 401);
  assert.equal((await lumen.fetch('/metrics', { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const allowed = await lumen.fetch('/metrics', { headers: { authorization: 'Bearer scrape-me' } });
  assert.equal(allowed.status, 200);
  assert.match(await allowed.text(), /^# HELP /m);
});
