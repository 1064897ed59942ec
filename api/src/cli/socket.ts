// Where a server on the embedded database takes `lumen` commands, and how the command line
// finds it: the server listens on a Unix socket (mode 0600, so only the user running Lumen
// can connect) and records where in the data folder's server.json. One command a connection:
// the command line sends one line of JSON, {"argv": [...]}, and the server answers with one
// line, {"code", "stdout", "stderr"}.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the server records in the data folder; kept after it stops (socket null) for its publicUrl. */
export interface ServerRecord {
  pid: number;
  /** The socket it takes commands on while it runs; null once it stopped. */
  socket: string | null;
  /** Its LUMEN_PUBLIC_URL (or http://localhost:PORT): where the sign-in links it prints point. */
  publicUrl: string;
  startedAt: string;
}

const RECORD_FILE = 'server.json';
const SOCKET_FILE = 'lumen.sock';

/** A socket's path must fit in sockaddr_un (104 bytes on macOS, 108 on Linux, with its final NUL). */
export const MAX_SOCKET_PATH_BYTES = 100;

/** The prefix of the private folder made in the temporary folder when the data folder's path is too long. */
export const TEMP_PREFIX = 'lumen-cli-';

/** The socket's path in the data folder, or null when that path is too long for a socket. */
export function socketPathIn(dataDir: string): string | null {
  const inDataDir = path.join(dataDir, SOCKET_FILE);
  return Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH_BYTES ? inDataDir : null;
}

const TEMP_SOCKET_FILE = 's';

/** A fresh private (0700) folder in the temporary folder, for a socket whose data-folder path is too long. */
export function makeTempSocketPath(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), TEMP_PREFIX)), TEMP_SOCKET_FILE);
}

/** Whether `socket` is one makeTempSocketPath made: `<tmp>/lumen-cli-XXXXXX/s`. */
function isTempSocket(socket: string): boolean {
  const folder = path.dirname(socket);
  return (
    path.basename(socket) === TEMP_SOCKET_FILE &&
    path.dirname(folder) === os.tmpdir() &&
    new RegExp(`^${TEMP_PREFIX}[A-Za-z0-9]{6}$`).test(path.basename(folder))
  );
}

/**
 * Removes a socket Lumen made, and its temporary folder if it had one. Only a socket file is
 * removed, and the folder only when empty: a path read from server.json never takes anything else.
 */
export function removeSocket(socket: string): void {
  // Closing the listening server may have removed it already.
  if (fs.lstatSync(socket, { throwIfNoEntry: false })?.isSocket()) fs.rmSync(socket, { force: true });
  if (!isTempSocket(socket)) return;
  try {
    fs.rmdirSync(path.dirname(socket));
  } catch {
    // not empty, or already gone: left alone
  }
}

export function readServerRecord(dataDir: string): ServerRecord | null {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, RECORD_FILE), 'utf8')) as Partial<ServerRecord>;
    if (typeof record.publicUrl !== 'string' || typeof record.pid !== 'number') return null;
    return {
      pid: record.pid,
      socket: typeof record.socket === 'string' ? record.socket : null,
      publicUrl: record.publicUrl,
      startedAt: String(record.startedAt),
    };
  } catch {
    return null; // none yet, or damaged: as if no server had run here
  }
}

export function writeServerRecord(dataDir: string, record: ServerRecord): void {
  // Written whole, then renamed: a command line reading it never sees half of it.
  const file = path.join(dataDir, RECORD_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** A request line longer than this is not a command line's: refused. */
export const MAX_REQUEST_BYTES = 64 * 1024;
