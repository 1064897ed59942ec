// The `lumen` command line, run as people run it, on an embedded data folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { lockDataFolder } from '../src/db/dataFolder.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';

const run = promisify(execFile);
const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dataDir: string;

function lumen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return lumenWith({}, ...args);
}

async function lumenWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: apiDir,
      env: {
        ...process.env,
        LUMEN_DATA_DIR: dataDir,
        DATABASE_URL: '',
        LUMEN_SECRET: '',
        NODE_ENV: 'development',
        LUMEN_PUBLIC_URL: 'http://lumen.example',
        ...env,
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-cli-'));
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('user add, token create and login-link work on a new data folder', async () => {
  const added = await lumen('user', 'add', '--email', 'Ada@Example.org', '--name', 'Ada Lovelace', '--admin');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Applied migrations: \d+_init/);
  assert.match(added.stdout, /Added admin Ada Lovelace <ada@example.org>/);
  assert.ok(fs.existsSync(path.join(dataDir, 'secret')), 'a development secret is kept in the data folder');
  assert.equal(fs.statSync(path.join(dataDir, 'secret')).mode & 0o777, 0o600);

  const token = await lumen('token', 'create', '--email', 'ada@example.org', '--name', 'laptop');
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stdout.trim().split('\n').at(-1)!, /^lat_[A-Za-z0-9_-]{49}$/);

  const link = await lumen('login-link', '--email', 'ada@example.org');
  assert.equal(link.code, 0, link.stderr);
  assert.match(link.stdout.trim().split('\n').at(-1)!, /^http:\/\/lumen\.example\/auth\/login\?token=lnk_/);

  const unlink = await lumen('user', 'unlink-oidc', '--email', 'ada@example.org');
  assert.equal(unlink.code, 1);
  assert.match(unlink.stderr, /^lumen: ada@example.org is not linked to an identity provider's account/);

  const duplicate = await lumen('user', 'add', '--email', 'ada@example.org', '--name', 'Ada');
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /^lumen: A user with the email ada@example.org already exists/);
  assert.doesNotMatch(duplicate.stderr, /at \w+ \(/, 'no stack trace for a person’s mistake');
});

test('token create with an expiry, token list and token revoke', async () => {
  assert.equal((await lumen('user', 'add', '--email', 'grace@example.org', '--name', 'Grace Hopper')).code, 0);
  const nightly = await lumen('token', 'create', '--email', 'grace@example.org', '--name', 'nightly', '--expires-in-days', '30');
  assert.equal(nightly.code, 0, nightly.stderr);
  const expires = /expires (\S+) \(shown once/.exec(nightly.stdout)?.[1];
  assert.ok(expires, `no expiry in: ${nightly.stdout}`);
  const days = (Date.parse(expires) - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, `expires in ${days} days, not 30`);
  const nightlySecret = nightly.stdout.trim().split('\n').at(-1)!;
  const forever = await lumen('token', 'create', '--email', 'grace@example.org', '--name', 'forever');
  assert.match(forever.stdout, /"forever" for grace@example.org, never expires/);

  const list = await lumen('token', 'list', '--email', 'grace@example.org');
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('"'));
  assert.equal(lines.length, 2, list.stdout);
  assert.match(
    lines.find((l) => l.includes('"nightly"'))!,
    new RegExp(`${nightlySecret.slice(0, 4)}\\.\\.\\.${nightlySecret.slice(-4)} .*never used, expires ${expires}`),
  );
  assert.match(
    lines.find((l) => l.includes('"forever"'))!,
    /never expires$/,
  );
  assert.ok(!list.stdout.includes(nightlySecret), 'token list printed a secret');

  const id = lines.find((l) => l.includes('"nightly"'))!.split(/\s+/)[0];
  const revoked = await lumen('token', 'revoke', '--id', id);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /Revoked admin-API token "nightly"/);
  const after = await lumen('token', 'list', '--email', 'grace@example.org');
  assert.doesNotMatch(after.stdout, /nightly/);
  assert.match(after.stdout, /forever/);
  const again = await lumen('token', 'revoke', '--id', id);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^lumen: No access token with id /);

  for (const bad of ['soon', '1827']) {
    const refused = await lumen('token', 'create', '--email', 'grace@example.org', '--expires-in-days', bad);
    assert.equal(refused.code, 1, `--expires-in-days ${bad} was accepted`);
    assert.match(refused.stderr, /^lumen: --expires-in-days must be a whole number from 1 to 1826/);
  }
});

test('a data folder in use is refused with an explanation, not a hang or a corruption', async () => {
  const release = lockDataFolder(dataDir, 'lumen server');
  try {
    const refused = await lumen('user', 'add', '--email', 'b@example.org', '--name', 'B');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`data folder .* is in use by process ${process.pid} \\(lumen server`));
    assert.match(refused.stderr, /stop the Lumen server first/);
  } finally {
    release();
  }
  const after = await lumen('user', 'add', '--email', 'b@example.org', '--name', 'B');
  assert.equal(after.code, 0, after.stderr);
});

test('unknown commands and missing options say what to do', async () => {
  const unknown = await lumen('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  const missing = await lumen('token', 'create');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--email is required/);
});

test('user list: email, name, admin, active, last sign-in; deactivated users only with --all; described by --help', async () => {
  const help = await lumen('--help');
  assert.match(help.stdout, /^ {2}user list \[--all\] +list active users: email, name, admin, last sign-in;$/m);
  // Deactivated as an admin would in the UI (the command line has no command for it).
  const database = await openLumen(loadConfig({ NODE_ENV: 'development', LUMEN_DATA_DIR: dataDir, LUMEN_LOG_LEVEL: 'silent' }), {
    purpose: 'test',
  });
  await database.prisma.user.update({ where: { email: 'b@example.org' }, data: { active: false } });
  await closeLumen(database);

  const list = await lumen('user', 'list');
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  assert.match(rows[0], /^EMAIL +NAME +ADMIN +ACTIVE +LAST SIGN-IN$/);
  assert.match(rows[1], /^ada@example\.org +Ada Lovelace +yes +yes +never$/);
  assert.match(rows[2], /^grace@example\.org +Grace Hopper +no +yes +never$/);
  assert.equal(rows[3], '2 users; 1 deactivated not shown (--all lists them)');
  const all = await lumen('user', 'list', '--all');
  assert.match(all.stdout, /^b@example\.org +B +no +no +never$/m);
  assert.match(all.stdout, /^3 users$/m);
});

test('with no LUMEN_PUBLIC_URL here and no server run on the folder yet, login-link says which default its link uses', async () => {
  const link = await lumenWith({ LUMEN_PUBLIC_URL: '', PORT: '4123' }, 'login-link', '--email', 'ada@example.org');
  assert.equal(link.code, 0, link.stderr);
  assert.match(link.stdout.trim().split('\n').at(-1)!, /^http:\/\/localhost:4123\/auth\/login\?token=lnk_/);
  assert.match(link.stderr, /^lumen: LUMEN_PUBLIC_URL is not set here and no server has run on this data folder yet/);
});
