// Small assertions shared by the API tests.
import assert from 'node:assert/strict';
import type { GqlResult } from './lumen.ts';

export function assertOk<T>(result: GqlResult<T>): T {
  assert.equal(result.errors, undefined, `unexpected errors: ${JSON.stringify(result.errors)}`);
  assert.ok(result.data, 'no data');
  return result.data as T;
}

export function assertErrorCode(result: GqlResult, code: string, messagePattern?: RegExp): void {
  assert.ok(result.errors && result.errors.length > 0, `expected a ${code} error, got data ${JSON.stringify(result.data)}`);
  assert.equal(result.errors[0].extensions?.code, code, `expected ${code}: ${JSON.stringify(result.errors)}`);
  if (messagePattern) assert.match(result.errors[0].message, messagePattern);
}
