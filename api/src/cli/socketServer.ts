// The server's side of `lumen` commands on the embedded database (see socket.ts): the
// command line cannot open the data folder while the server holds it, so the server runs
// the command itself, with the same functions (commands.ts), and answers with the text.
// Who may send one is decided by the file system: the socket is 0600 in a 0700 folder, so
// only the user running Lumen (or root) can connect; the same user could open the data
// folder anyway.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { log } from '../log.ts';
import { parseCommandLine, runParsed, type CommandResult } from './commands.ts';
import { makeTempSocketPath, MAX_REQUEST_BYTES, readServerRecord, removeSocket, socketPathIn, writeServerRecord } from './socket.ts';

/** A request in any other shape gets this line (and the connection ends); the server goes on. */
const malformed = (why: string): CommandResult => ({
  code: 2,
  stdout: '',
  stderr: `lumen: malformed request (${why}): send one line of JSON, {"argv": ["user", "list"]}`,
});

/** The command line's arguments in a request line, or why there are none. */
function argvOf(line: string): string[] | string {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  const argv = (request as { argv?: unknown } | null)?.argv;
  if (!Array.isArray(argv) || argv.length > 100 || !argv.every((arg) => typeof arg === 'string')) return 'argv must be a list of strings';
  return argv as string[];
}

/** Runs a command line for a caller on the socket; a failure the command does not explain is logged and answered in one line. */
async function runOnServer(argv: string[], publicUrl: string): Promise<CommandResult> {
  try {
    return await runParsed(parseCommandLine(argv), { publicUrl });
  } catch (error) {
    log.error({ err: error, command: argv.slice(0, 2).join(' ') }, 'a lumen command sent to the server failed');
    return {
      code: 1,
      stdout: '',
      stderr: `lumen: the server could not run the command: ${(error as Error).message} (its log has the details)`,
    };
  }
}

function serve(connection: net.Socket, publicUrl: string, running: Set<Promise<unknown>>, idle: Set<net.Socket>) {
  idle.add(connection);
  connection.on('close', () => idle.delete(connection));
  let received = '';
  let answered = false;
  const answer = (result: CommandResult) => {
    answered = true;
    connection.end(`${JSON.stringify(result)}\n`);
  };
  // A caller that connects and says nothing does not hold a connection forever.
  connection.setTimeout(30_000, () => connection.destroy());
  // The caller went away (a closed terminal): nothing to answer, nothing to crash on.
  connection.on('error', () => {});
  connection.setEncoding('utf8');
  connection.on('data', (chunk: string) => {
    if (answered) return;
    received += chunk;
    const end = received.indexOf('\n');
    if (end < 0) {
      if (Buffer.byteLength(received) > MAX_REQUEST_BYTES) answer(malformed(`longer than ${MAX_REQUEST_BYTES} bytes`));
      return;
    }
    const argv = argvOf(received.slice(0, end));
    if (typeof argv === 'string') return answer(malformed(argv));
    connection.setTimeout(0); // a command may take its time (seed --demo)
    idle.delete(connection);
    answered = true;
    const work = runOnServer(argv, publicUrl).then((result) => {
      if (!connection.destroyed) connection.end(`${JSON.stringify(result)}\n`);
    });
    running.add(work);
    void work.finally(() => running.delete(work));
  });
  connection.on('end', () => {
    if (!answered) answer(malformed('the request ended without a newline'));
  });
}

export interface CliSocket {
  /** Where it listens. */
  path: string;
  /** Stops taking commands, waits for those running, removes the socket. */
  close(): Promise<void>;
}

/**
 * Listens for `lumen` commands on a socket in the data folder (or in a private folder in the
 * temporary folder when the data folder's path is too long for a socket), and records where.
 * Only for the embedded database: the caller holds the data folder's lock.
 */
export async function openCliSocket(dataDir: string, publicUrl: string): Promise<CliSocket> {
  // A server that was killed left its socket (and maybe its temporary folder) behind.
  const previous = readServerRecord(dataDir)?.socket;
  if (previous) removeSocket(previous);
  const inDataDir = socketPathIn(dataDir);
  const socketPath = inDataDir ?? makeTempSocketPath();
  // Also one not recorded (a server killed before it wrote server.json): listen would fail on it.
  if (inDataDir) removeSocket(inDataDir);
  const running = new Set<Promise<unknown>>();
  const idle = new Set<net.Socket>();
  // Half-open: a caller may end its side after the request and still read the answer.
  const server = net.createServer({ allowHalfOpen: true }, (connection) => serve(connection, publicUrl, running, idle));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Created under the umask the data folder set (0077); made exactly 0600 before anyone is told where it is.
    fs.chmodSync(socketPath, 0o600);
  } catch (error) {
    removeSocket(socketPath);
    if (!inDataDir) fs.rmSync(path.dirname(socketPath), { recursive: true, force: true }); // the empty folder just made
    throw error;
  }
  server.on('error', (error) => log.error({ err: error }, 'the command socket reported an error'));
  const startedAt = new Date().toISOString();
  writeServerRecord(dataDir, { pid: process.pid, socket: socketPath, publicUrl, startedAt });
  // Also when the process ends some other way than close() (an uncaught error, process.exit).
  const cleanUp = () => removeSocket(socketPath);
  process.once('exit', cleanUp);
  let closed: Promise<void> | null = null;
  return {
    path: socketPath,
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Connections that sent no command yet get none in; commands already running finish.
        for (const connection of idle) connection.destroy();
        await Promise.allSettled([...running]);
        await stopped;
        removeSocket(socketPath);
        process.off('exit', cleanUp);
        // Kept for the command line's sign-in links while the server is stopped.
        writeServerRecord(dataDir, { pid: process.pid, socket: null, publicUrl, startedAt });
      })()),
  };
}
