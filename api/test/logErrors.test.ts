// Errors in the log: pino's serializer, minus the pg connection pg-pool attaches to the error
// of a connection the server closed (seen as several kilobytes of driver state per line).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { serializeError } from '../src/log.ts';

test('an idle connection error is logged with its message and code, not the connection', () => {
  const client = new pg.Client({ connectionString: 'postgresql://lumen:not-in-logs@127.0.0.1:1/lumen' });
  const error = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', client });
  const logged = serializeError(error);
  assert.equal(logged.message, 'terminating connection due to administrator command');
  assert.equal(logged.code, '57P01');
  assert.equal(logged.type, 'Error');
  assert.equal('client' in logged, false);
  const line = JSON.stringify(logged);
  assert.equal(line.includes('127.0.0.1'), false, line);
  assert.ok(line.length < 2_000, `${line.length} characters`);
});
