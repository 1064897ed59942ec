// `node --import tsx bench/profilePage.ts`: the client page (the admin UI's two operations,
// 200 keys) under load against the compiled server with --cpu-prof, for reading where a page
// load's time goes (not part of `npm run bench`). Top functions by self time and by package.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createUser } from '../src/domain/users.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { spawnServer } from '../test/support/spawnServer.ts';
import { seedClientPage } from './clientPage/seed.ts';
import { pageLoadBodies } from './clientPage/documents.ts';
import { pageLoad } from './clientPage/pageLoad.ts';
import { createScratchDatabase } from './lib/database.ts';
import { measure } from './lib/load.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-page-profile-'));

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function report(file: string): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*\/(node_modules|api)\//, '$1/');
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/api/dist/') ? 'lumen' : url ? 'node' : functionName);
    byFunction.set(
      `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`,
      (byFunction.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + (node.hitCount ?? 0),
    );
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + (node.hitCount ?? 0));
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
  console.log('By package:\n' + top(byPackage, 20).join('\n'));
  console.log('By function:\n' + top(byFunction, 40).join('\n'));
}

async function main() {
  const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL, 'lumen_page_profile') : null;
  const env = {
    NODE_ENV: 'test',
    LUMEN_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-page-data-')),
    LUMEN_SECRET: randomBytes(32).toString('base64url'),
    PORT: '0',
    DATABASE_URL: scratch?.url ?? '',
    REDIS_URL: '',
  };
  const database = await openLumen(loadConfig(env), { purpose: 'profile set-up' });
  let page;
  try {
    const user = await createUser(null, { email: 'p@example.org', name: 'P', isAdmin: true });
    page = await seedClientPage({ id: user.id, email: user.email, name: user.name, isAdmin: true });
  } finally {
    await closeLumen(database);
  }
  // Run as the bench's client page runs it (run.ts): production settings, no request logs.
  const server = await spawnServer({
    compiled: true,
    productionRuntime: true,
    env: {
      ...env,
      NODE_ENV: 'production',
      LUMEN_LOG_LEVEL: 'warn',
      NODE_OPTIONS: process.env.PROFILE === '0' ? '' : `--cpu-prof --cpu-prof-dir=${profileDir}`,
    },
  });
  // What one page load answers: sizes and headers (the bodies the plain handler answers too, in the bench).
  for (const body of pageLoadBodies(page.clientGlobalId)) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${page.managerToken}` },
      body,
    });
    const text = await response.text();
    console.log(`${response.status} ${text.length} bytes, headers ${JSON.stringify(Object.fromEntries(response.headers))}`);
  }
  const load = pageLoad(`${server.url}/graphql`, page.managerToken, page.clientGlobalId);
  await measure(load, 8, 1500);
  const result = await measure(load, 8, seconds * 1000);
  console.log(
    `${result.perSecond.toFixed(1)} page loads/s, p50 ${result.p50.toFixed(1)} ms, ${result.failures} failures ${result.firstFailure ?? ''}`,
  );
  server.child.kill('SIGINT');
  await new Promise((resolve) => server.child.once('exit', resolve));
  for (const file of fs.readdirSync(profileDir)) report(path.join(profileDir, file));
  await scratch?.drop();
}

void main();
