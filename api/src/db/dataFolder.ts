// The embedded database lives in a folder that only one process may open at a
// time: PGlite is not multi-process safe, so a second opener would corrupt it.
import fs from 'node:fs';
import path from 'node:path';

export class DataFolderInUseError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock file, or explains who holds it. Returns the release function. */
export function lockDataFolder(dataDir: string, purpose: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'lumen.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
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
