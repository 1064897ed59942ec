// /metrics must not grow with what anonymous callers choose: operation names,
// aliases, paths, methods and model names become fixed labels, never series of their own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { routeOf } from '../src/metrics.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { openai, refusal, unlimitedClient } from './support/v1.ts';

let lumen: TestLumen;
let admin: TestUser;
let keySecret: string;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
  keySecret = (await unlimitedClient(lumen, admin)).key.secret;
});
after(() => lumen.close());

async function metricsText(): Promise<string> {
  const response = await lumen.fetch('/metrics');
  assert.equal(response.status, 200);
  return response.text();
}

/** Series, not counting the process' own (their labels are the runtime's, such as handle types). */
const seriesOf = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#') && !line.startsWith('lumen_process_'));

const post = (query: string, operationName?: string) =>
  lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName }),
  });

/** One anonymous request of every kind, each named with `r`; returns the names it used. */
async function callerChosen(r: string): Promise<void> {
  const op = `Op_${r}`;
  await post(`query ${op} { __typename }`, op);
  await post(`query ${op} { alias_${r}: viewer { id } }`, op); // an error whose path holds the alias
  await post(`query ${op} { field_${r} }`, op); // a validation error
  await post(`query ${op} {`, op); // a parse error
  await post('{ __typename }', op); // a name that matches no operation
  await lumen.fetch(`/auth/${r}`);
  await lumen.fetch(`/auth/${r}/deeper`, { method: 'POST' });
  await lumen.fetch(`/${r}`);
  await lumen.fetch(`/v1/${r}`);
  await lumen.fetch(`/${r}`, { method: `X${r}` });
  const notFound = await refusal(
    openai(keySecret).chat.completions.create({ model: `model-${r}`, messages: [{ role: 'user', content: 'hi' }] }),
  );
  assert.equal(notFound.status, 404);
}

const random = () => randomBytes(6).toString('hex');

test('100 rounds of caller-chosen names add no series to /metrics, and none of the names appears', async () => {
  await callerChosen(random());
  await metricsText(); // the scrape itself is a request, counted from the first one on
  const before = seriesOf(await metricsText());
  const names: string[] = [];
  for (let i = 0; i < 100; i++) {
    const r = random();
    names.push(r);
    await callerChosen(r);
  }
  const text = await metricsText();
  const added = seriesOf(text).filter((line) => !before.some((old) => old.replace(/ [^ ]+$/, '') === line.replace(/ [^ ]+$/, '')));
  assert.deepEqual(added, [], 'new series appeared');
  assert.equal(seriesOf(text).length, before.length);
  for (const r of names) assert.ok(!text.includes(r), `a caller-chosen name reached /metrics: ${r}`);
  assert.match(text, /graphql_envelop_request\{operationName="other",operationType="query"\} \d+/);
  assert.match(text, /lumen_http_requests_total\{route="\/auth\/other",method="GET",status="\d+"\} \d+/);
  assert.match(text, /lumen_http_requests_total\{route="static",method="other",status="\d+"\} \d+/);
  assert.match(text, /lumen_v1_requests_total\{model="-",status="404"\} \d+/);
});

test("the admin UI's operations keep their names", async () => {
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({ query: 'query Layout_ViewerQuery { viewer { id } }' }),
  });
  assert.equal(response.status, 200);
  assert.match(await metricsText(), /graphql_envelop_request\{operationName="Layout_ViewerQuery",operationType="query"\} 1\b/);
});

test('route labels are templates, whatever the path', () => {
  assert.equal(routeOf('/auth/login'), '/auth/login');
  assert.equal(routeOf('/auth/oidc/callback'), '/auth/oidc/callback');
  assert.equal(routeOf(`/auth/${random()}`), '/auth/other');
  assert.equal(routeOf(`/auth/oidc/${random()}`), '/auth/other');
  assert.equal(routeOf(`/v1/models/${random()}`), '/v1/models');
  assert.equal(routeOf(`/assets/${random()}.js`), 'static');
});
