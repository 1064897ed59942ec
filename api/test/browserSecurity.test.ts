// What browsers are told: a Content-Security-Policy without inline script, no framing,
// no Referer, no sniffing, on every answer; no source maps in production; and GraphiQL
// (development only) from Lumen's own files, under the same script policy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { config, setConfig, type Config } from '../src/config.ts';
import { renderGraphiQL } from '../src/http/graphiql.ts';
import { handleStatic } from '../src/http/staticFiles.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen({ NODE_ENV: 'development' });
});
after(() => lumen.close());

async function inEnv<T>(env: Config['env'], work: () => Promise<T>): Promise<T> {
  const saved = config();
  setConfig({ ...saved, env });
  try {
    return await work();
  } finally {
    setConfig(saved);
  }
}

/** The policy's directives, by name. */
function directives(policy: string | null): Map<string, string[]> {
  assert.ok(policy, 'no Content-Security-Policy');
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

function assertProtected(response: Response, what: string) {
  const policy = directives(response.headers.get('content-security-policy'));
  assert.deepEqual(policy.get('default-src'), ["'self'"], what);
  assert.deepEqual(policy.get('script-src'), ["'self'"], `${what}: scripts only from Lumen's own files`);
  assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], what);
  assert.deepEqual(policy.get('object-src'), ["'none'"], what);
  assert.deepEqual(policy.get('base-uri'), ["'self'"], what);
  assert.equal(response.headers.get('x-frame-options'), 'DENY', what);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer', what);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what);
}

test('every answer carries the browser protections: UI, GraphQL, /v1, errors', async () => {
  const answers: [string, RequestInit?][] = [
    ['/'],
    ['/clients/abc'],
    ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }],
    ['/v1/models'],
    ['/nothing-here.png'],
    ['/%E0%A4%A'],
    ['/auth/login?token=nope'],
  ];
  for (const [pathname, init] of answers) {
    const response = await lumen.fetch(pathname, init);
    assertProtected(response, `${init?.method ?? 'GET'} ${pathname} (${response.status})`);
    assert.deepEqual(directives(response.headers.get('content-security-policy')).get('style-src'), ["'self'"], pathname);
  }
});

test('source maps are not served in production', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-dist-'));
  try {
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'assets/app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'assets/app.js.map'), '{"version":3}');
    const get = (file: string) => handleStatic(new Request(`http://lumen.test${file}`), new URL(`http://lumen.test${file}`), root);
    assert.equal((await get('/assets/app.js.map'))?.status, 200, 'outside production a map is a file like any other');
    await inEnv('production', async () => {
      assert.equal(await get('/assets/app.js.map'), null);
      assert.equal((await get('/assets/app.js'))?.status, 200);
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('GraphiQL loads only same-origin files, with no inline script', async () => {
  const page = await lumen.fetch('/graphql', { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assertProtected(page, 'GraphiQL');
  const html = await page.text();
  assert.doesNotMatch(html, /https?:\/\//, 'GraphiQL refers to another origin');
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
  assert.ok(scripts.length >= 2);
  for (const attributes of scripts) {
    assert.match(attributes, /src="\/graphiql\/[\w.-]+\.js"|type="application\/json"/, `an inline script: <script${attributes}>`);
  }
  const files = [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((match) => match[1]);
  // graphiql-start.js names the editor's workers; they are files too.
  files.push('/graphiql/editorWorkerService.worker.js', '/graphiql/json.worker.js', '/graphiql/graphql.worker.js');
  for (const file of files) {
    const response = await lumen.fetch(file);
    assert.equal(response.status, 200, file);
    assert.match(response.headers.get('content-type') ?? '', /javascript|css|icon/, file);
  }
  await inEnv('production', async () => {
    assert.equal((await lumen.fetch('/graphiql/graphiql.js')).status, 404, 'GraphiQL files are served in production');
  });
});

test("GraphiQL's options cannot close the script element they travel in", () => {
  const html = renderGraphiQL({ defaultQuery: '</script><script>alert(1)</script>' });
  assert.equal(html.match(/<\/script>/g)?.length, 3);
  assert.ok(!html.includes('<script>alert'));
});
