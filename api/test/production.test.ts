// In production: no introspection or GraphiQL unless enabled, and limits refuse
// without revealing their numbers or suggesting field names.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GRAPHQL_LIMITS } from '../src/http/limits.ts';
import { log } from '../src/log.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen({ NODE_ENV: 'production' });
  log.level = 'silent'; // production logs refusals at warn; this file refuses on purpose
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

test('introspection is off and GraphiQL is not served', async () => {
  const result = await lumen.gql('{ __schema { types { name } } }', {}, admin);
  assert.ok(
    result.errors?.some((e) => /introspection/i.test(e.message)),
    JSON.stringify(result),
  );
  const page = await lumen.fetch('/graphql', { headers: { accept: 'text/html' } });
  assert.ok(!(await page.text()).includes('graphiql'), 'GraphiQL was served in production');
  assertOk(await lumen.gql('{ viewer { email } }', {}, admin));
});

test('limits refuse without saying the numbers, and no field names are suggested', async () => {
  const aliases = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 5 }, (_, i) => `a${i}: viewer { id }`).join(' ');
  const refused = await lumen.gql(`{ ${aliases} }`, {}, admin);
  assert.ok(refused.errors?.length);
  assert.ok(!refused.errors!.some((e) => e.message.includes(String(GRAPHQL_LIMITS.maxAliases))), JSON.stringify(refused.errors));
  const typo = await lumen.gql('{ viewr { email } }', {}, admin);
  assert.ok(typo.errors?.length);
  assert.ok(!typo.errors!.some((e) => /Did you mean/i.test(e.message)), JSON.stringify(typo.errors));
});
