// Production runs the JavaScript that `npm run build` writes (scripts/build.mjs), not
// TypeScript through tsx: this builds api/dist as the Dockerfile and `npm start` do (the
// build must be where production has it, since the compiled modules find the admin UI and
// the migrations relative to themselves), and runs the compiled server and command line
// as real processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { MIGRATIONS_DIR } from '../src/db/migrate.ts';
import { UI_DIST } from '../src/http/staticFiles.ts';
import { createScratchDatabase, type ScratchDatabase } from './support/scratchDatabase.ts';
import { API_DIR, COMPILED_SERVER, spawnServer, stopServer, type SpawnedServer } from './support/spawnServer.ts';

const run = promisify(execFile);
const out = path.join(API_DIR, path.dirname(COMPILED_SERVER));
let dataDir: string;
let scratch: ScratchDatabase | null = null;
let env: Record<string, string>;
let server: SpawnedServer | undefined;

before(async () => {
  await run(process.execPath, ['scripts/build.mjs'], { cwd: API_DIR, timeout: 170_000 });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-compiled-'));
  const adminUrl = process.env.LUMEN_TEST_DATABASE_URL;
  if (adminUrl) scratch = await createScratchDatabase(adminUrl, 'lumen_test_compiled');
  env = {
    // Production, with GraphiQL on so that its file beside the compiled code is served too.
    NODE_ENV: 'production',
    LUMEN_GRAPHIQL: 'true',
    LUMEN_GRAPHQL_INTROSPECTION: 'true',
    LUMEN_SECRET: randomBytes(32).toString('base64url'),
    LUMEN_DATA_DIR: dataDir,
    LUMEN_ADMIN_EMAIL: 'admin@example.org',
    DATABASE_URL: scratch?.url ?? '',
    REDIS_URL: '',
    PORT: '0',
    HOST: '127.0.0.1',
  };
  server = await spawnServer({ compiled: true, env });
});

after(async () => {
  await stopServer(server?.child);
  await scratch?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the build writes JavaScript only, whose imports name .js files', () => {
  const files = fs.readdirSync(out, { recursive: true, encoding: 'utf8' });
  assert.deepEqual(
    files.filter((f) => f.endsWith('.ts')),
    [],
  );
  const server = fs.readFileSync(path.join(out, 'server.js'), 'utf8');
  // Static imports and the admin API's dynamic one alike.
  assert.match(server, /from "\.\/lumen\.js"/);
  assert.match(server, /import\("\.\/yoga\.js"\)/);
  assert.doesNotMatch(server, /\.ts["']/);
  assert.ok(files.includes(path.join('generated', 'prisma', 'client.js')), 'the Prisma client is compiled with the rest');
});

test('paths taken from import.meta.url lead where they do from the sources', async () => {
  const compiled = (file: string) => import(pathToFileURL(path.join(out, file)).href);
  assert.equal((await compiled('http/staticFiles.js')).UI_DIST, UI_DIST);
  assert.equal((await compiled('db/migrate.js')).MIGRATIONS_DIR, MIGRATIONS_DIR);
  assert.ok(fs.existsSync(MIGRATIONS_DIR));
});

test('the compiled server runs on plain Node: migrations applied, health, GraphQL, GraphiQL file', async () => {
  assert.ok(server);
  assert.match(server.output(), /Lumen is listening on port \d+/);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200, await health.text());

  // The compiled command line makes a token (through the server's socket on the embedded
  // database, or on PostgreSQL itself), and GraphQL answers with it from the fresh,
  // migrated database.
  const { stdout } = await run(process.execPath, [path.join(out, 'cli/main.js'), 'token', 'create', '--email', 'admin@example.org'], {
    cwd: API_DIR,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const token = stdout.trim().split('\n').at(-1)!;
  assert.match(token, /^lat_/);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { email isAdmin } }' }),
  });
  assert.deepEqual(await response.json(), { data: { viewer: { email: 'admin@example.org', isAdmin: true } } });

  const start = await fetch(`${server.url}/graphiql/graphiql-start.js`);
  assert.equal(start.status, 200);
  assert.equal(await start.text(), fs.readFileSync(path.join(API_DIR, 'src/http/graphiql-start.js'), 'utf8'));
});

test('the compiled server stops cleanly on SIGTERM', async () => {
  assert.ok(server);
  const exited = server.exited;
  await stopServer(server.child);
  assert.equal(await exited, 0);
});
