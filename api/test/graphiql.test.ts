// GraphiQL at /graphql on a network without Internet access: the page and every file it
// loads come from Lumen, nothing names another host to load from; a signed-in browser's
// requests carry the anti-CSRF header; in production it is served only with LUMEN_GRAPHIQL=true.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { config, setConfig, type Config } from '../src/config.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen({ NODE_ENV: 'development', LUMEN_LOG_LEVEL: process.env.LUMEN_LOG_LEVEL ?? 'silent' });
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

async function withConfig<T>(change: Partial<Config>, work: () => Promise<T>): Promise<T> {
  const saved = config();
  setConfig({ ...saved, ...change });
  try {
    return await work();
  } finally {
    setConfig(saved);
  }
}

const page = () => lumen.fetch('/graphql', { headers: { accept: 'text/html' } });

/** The options the page hands to graphiql-start.js, as the browser reads them. */
function optionsOf(html: string): { additionalHeaders?: Record<string, string> } {
  const json = /<script type="application\/json" id="graphiql-options">([^<]*)<\/script>/.exec(html)?.[1];
  assert.ok(json, 'no GraphiQL options in the page');
  return JSON.parse(json);
}

/** Ways a page, a style sheet or a script could load something from another host. */
const EXTERNAL_LOADS: [string, RegExp][] = [
  ['an element attribute', /\b(?:src|href|action)\s*=\s*["'`]?(?:https?:|wss?:)?\/\//i],
  ['a script load', /(?:importScripts|import|Worker|fetch|EventSource|WebSocket)\s*\(\s*["'`](?:https?:|wss?:)?\/\//],
  ['a style sheet URL', /url\(\s*["']?(?:https?:)?\/\//],
  ['a style sheet import', /@import\s/],
  ['a CDN', /unpkg\.com|jsdelivr\.net|esm\.sh|cdnjs\.|fonts\.googleapis|fonts\.gstatic|skypack\.dev|raw\.githubusercontent/],
];

test('the page and every file it loads come from Lumen; none names another host to load from', async () => {
  const response = await page();
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.doesNotMatch(html, /https?:\/\//, 'the page names another host');
  const files = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
  assert.ok(files.length >= 4, `too few files: ${files.join(', ')}`);
  // graphiql-start.js points the editor at its workers; they are files too.
  files.push('/graphiql/editorWorkerService.worker.js', '/graphiql/json.worker.js', '/graphiql/graphql.worker.js');
  for (const file of files) {
    assert.match(file, /^\/graphiql\/[\w.-]+$/, `${file} is not one of Lumen's own files`);
    const asset = await lumen.fetch(file);
    assert.equal(asset.status, 200, file);
    if (file.endsWith('.ico')) continue;
    const text = await asset.text();
    for (const [what, pattern] of EXTERNAL_LOADS) {
      const found = pattern.exec(text);
      assert.equal(found, null, `${file} has ${what} to another host: ${found && text.slice(found.index - 60, found.index + 100)}`);
    }
  }
});

test('a signed-in browser session queries through GraphiQL: its requests carry the anti-CSRF header', async () => {
  const { additionalHeaders } = optionsOf(await (await page()).text());
  assert.deepEqual(additionalHeaders, { 'x-lumen-csrf': '1' });
  const { cookie } = await lumen.session(admin);
  // What GraphiQL's fetcher sends: JSON, its additional headers, and the cookie (same origin).
  const send = (headers: Record<string, string>) =>
    lumen.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', cookie, ...headers },
      body: JSON.stringify({ query: '{ viewer { email } }' }),
    });
  const answered = await send(additionalHeaders!);
  assert.equal(answered.status, 200);
  assert.deepEqual(await answered.json(), { data: { viewer: { email: admin.email } } });
  // Without the header the same cookie is refused: the header is what makes the difference.
  assert.equal((await send({})).status, 403);
});

test('in production only with LUMEN_GRAPHIQL=true (which config.ts allows only with introspection)', async () => {
  await withConfig({ env: 'production', graphiql: null }, async () => {
    assert.doesNotMatch(await (await page()).text(), /graphiql/i);
    assert.equal((await lumen.fetch('/graphiql/graphiql.js')).status, 404);
  });
  await withConfig({ env: 'production', graphiql: true, introspection: true }, async () => {
    const html = await (await page()).text();
    assert.match(html, /Lumen GraphiQL/);
    assert.equal((await lumen.fetch('/graphiql/graphiql-start.js')).status, 200);
    const { cookie } = await lumen.session(admin);
    const introspected = await lumen.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, ...optionsOf(html).additionalHeaders },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    assert.deepEqual(await introspected.json(), { data: { __schema: { queryType: { name: 'Query' } } } });
  });
  await withConfig({ graphiql: false }, async () => {
    assert.doesNotMatch(await (await page()).text(), /graphiql/i, 'LUMEN_GRAPHIQL=false turns it off in development too');
  });
});
