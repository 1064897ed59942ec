// The embedded database lives in a folder that only one process may open at a
// time: PGlite is not multi-process safe, so a second opener would corrupt it.
// The folder is private to the user running Lumen.
import fs from 'node:fs';
import path from 'node:path';

export class DataFolderInUseError extends Error {}

/** The data folder cannot be created, read or written (a start-up error that says what to do, on one line). */
export class DataFolderError extends Error {}

const REASONS: Record<string, string> = {
  ENOTDIR: 'it, or a folder above it, is a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
};

const unusable = (dataDir: string, error: unknown) =>
  new DataFolderError(
    `Lumen could not use the data folder ${dataDir} (${REASONS[(error as NodeJS.ErrnoException).code ?? ''] ?? (error as NodeJS.ErrnoException).code ?? String((error as Error).message).split('\n')[0]}): ` +
      'set LUMEN_DATA_DIR to a folder that the user running Lumen can create or write, or set DATABASE_URL to use PostgreSQL',
  );

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the data folder, or tightens an existing one, so that only the user running
 * Lumen can read it: it holds the database (key hashes, usage, audit log) and the
 * development secret. Folders become 0700 and files 0600, and the process umask makes
 * whatever the embedded database creates later private too.
 */
export function makeDataFolderPrivate(dataDir: string): void {
  process.umask(process.umask(0o077) | 0o077);
  let stat: fs.Stats;
  try {
    // A file where the folder should be: mkdir's EEXIST would not say so.
    if (fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory() === false)
      throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    stat = fs.statSync(dataDir);
    fs.accessSync(dataDir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw unusable(dataDir, error);
  }
  tighten(dataDir, stat);
}

/** `error` from opening the embedded database in `dataDir`, as a start-up error that says what to do. */
export function dataFolderFailure(dataDir: string, error: unknown): DataFolderError {
  return error instanceof DataFolderError ? error : unusable(dataDir, error);
}

function tighten(target: string, stat: fs.Stats | undefined): void {
  // Links inside are left alone: chmod would follow them out of the folder.
  if (!stat || stat.isSymbolicLink()) return;
  if ((stat.mode & 0o077) !== 0) {
    try {
      fs.chmodSync(target, stat.mode & 0o700);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // a running server's database removed it meanwhile
      throw new DataFolderError(
        `Lumen could not make ${target} private (${(error as NodeJS.ErrnoException).code}): ` +
          'the data folder and its files must belong to the user that runs Lumen (chown -R that user, or choose another LUMEN_DATA_DIR)',
      );
    }
  }
  if (!stat.isDirectory()) return;
  for (const entry of fs.readdirSync(target)) {
    const inside = path.join(target, entry);
    tighten(inside, fs.lstatSync(inside, { throwIfNoEntry: false }));
  }
}

/** Takes the folder's lock file, or explains who holds it. Returns the release function. */
export function lockDataFolder(dataDir: string, purpose: string): () => void {
  makeDataFolderPrivate(dataDir);
  const lockPath = path.join(dataDir, 'lumen.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: number; purpose?: string; since?: string } = {};
      try {
        holder = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
      } catch {
        // a lock file being written right now, or a damaged one: treat as held
      }
      if (holder.pid && !processAlive(holder.pid)) {
        fs.rmSync(lockPath, { force: true }); // the holder died without cleaning up
        continue;
      }
      throw new DataFolderInUseError(
        `The data folder ${dataDir} is in use by process ${holder.pid ?? '?'} (${holder.purpose ?? 'unknown'}, since ${holder.since ?? '?'}).\n` +
          'The embedded database can be opened by one process at a time: stop the Lumen server first, ' +
          'or use a PostgreSQL server (DATABASE_URL) to run the server and the CLI together.',
      );
    }
  }
  throw new DataFolderInUseError(`Could not take the lock on ${lockPath}`);
}
