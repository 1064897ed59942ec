// The data folder (embedded database, development secret) is private to the user
// running Lumen: folders 0700, files 0600, an existing lax folder tightened at start.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-private-'));
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Every path under `root` that group or others may use. */
function laxPaths(root: string): string[] {
  const lax: string[] = [];
  const visit = (target: string) => {
    const stat = fs.lstatSync(target);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) lax.push(`${(stat.mode & 0o777).toString(8)} ${path.relative(root, target) || '.'}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) visit(path.join(target, entry));
  };
  visit(root);
  return lax;
}

test('the embedded database folder and its files are private, even if they were not', async () => {
  // A folder as an older Lumen (or a careless copy) left it: readable by every local user.
  fs.chmodSync(dataDir, 0o755);
  fs.mkdirSync(path.join(dataDir, 'backup'), { mode: 0o755 });
  fs.chmodSync(path.join(dataDir, 'backup'), 0o755);
  fs.writeFileSync(path.join(dataDir, 'backup', 'dump.sql'), 'SELECT 1;', { mode: 0o644 });
  fs.chmodSync(path.join(dataDir, 'backup', 'dump.sql'), 0o644);
  const previousUmask = process.umask(0o022);
  // No LUMEN_SECRET: the development secret is written there too.
  const config = loadConfig({ NODE_ENV: 'test', LUMEN_DATA_DIR: dataDir, DATABASE_URL: '', LUMEN_SECRET: '' });
  const database = await openLumen(config, { purpose: 'permission test' });
  try {
    assert.equal(database.kind, 'pglite');
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dataDir, 'backup')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dataDir, 'backup', 'dump.sql')).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dataDir, 'secret')).mode & 0o777, 0o600);
    // What the database created while starting and migrating (after the tightening, under a
    // lax umask): hundreds of files, none open to others.
    assert.ok(fs.readdirSync(path.join(dataDir, 'pgdata')).length > 5);
    assert.deepEqual(laxPaths(dataDir), []);
  } finally {
    await closeLumen(database);
    process.umask(previousUmask);
  }
});
