// The fault suite's own PostgreSQL cluster: initdb + pg_ctl in a temporary folder
// on a spare port, trust authentication, loopback and a private socket folder, so
// nothing shared (the cluster on 5432) is touched. initdb refuses to run as root,
// so as root (CI) every command runs as the `postgres` user that installing
// PostgreSQL creates, and the folder is handed to it.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Cluster {
  port: number;
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  version: string;
  /** pg_ctl restart -m fast, without blocking this process (the load keeps running). */
  restart(): Promise<void>;
  /** Stops it (immediately) and removes its folder; safe to call twice. */
  destroy(): void;
}

/** The folder holding initdb and pg_ctl: pg_config's, else the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // No pg_config on the PATH: look where Debian and Ubuntu install the server.
  }
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(root, v, 'bin')));
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
  if (!found)
    throw new Error(
      `initdb and pg_ctl not found (looked in: ${candidates.join(', ') || 'nothing'}); install the PostgreSQL server (apt-get install postgresql)`,
    );
  return found;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program, as `postgres` when we are root; throws with its output on failure. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function pgRun(bin: string, args: string[], timeoutMs = 60_000): string {
  const [command, argv] = asPostgres(bin, args);
  // cwd: a folder `postgres` may enter (initdb and pg_ctl look at theirs).
  const result = spawnSync(command, argv, { cwd: os.tmpdir(), encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(bin)} ${args.join(' ')} failed (${result.error ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

export function createCluster(port: number): Cluster {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-faults-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  let running = false;
  let destroyed = false;
  const pgCtl = (...args: string[]) => pgRun(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  // Loopback only, its own socket folder; fsync stays on (the default) so the restart is a real one.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=100`;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    if (running) {
      try {
        pgCtl('stop', '-m', 'immediate', '-w', '-t', '20');
      } catch {
        // Last resort: the postmaster's pid is the first line of postmaster.pid; its children follow it.
        try {
          process.kill(Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    pgRun(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'], 120_000);
    pgCtl('start', '-w', '-t', '60', '-l', logFile, '-o', options);
    running = true;
  } catch (error) {
    destroy();
    throw error;
  }
  const version = /\d+(\.\d+)?/.exec(pgRun(path.join(bin, 'postgres'), ['--version']))?.[0] ?? 'unknown';
  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    version,
    restart: () =>
      new Promise<void>((resolve, reject) => {
        const [command, argv] = asPostgres(path.join(bin, 'pg_ctl'), [
          '-D',
          data,
          'restart',
          '-m',
          'fast',
          '-w',
          '-t',
          '60',
          '-l',
          logFile,
          '-o',
          options,
        ]);
        execFile(command, argv, { cwd: os.tmpdir(), timeout: 90_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`pg_ctl restart failed: ${error.message}\n${stdout}${stderr}`)) : resolve(),
        );
      }),
    destroy,
  };
}
