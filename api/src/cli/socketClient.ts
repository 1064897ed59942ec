// The command line's side of socket.ts: sends a command to the server that holds the data
// folder, and returns what it answered.
import net from 'node:net';
import type { CommandResult } from './commands.ts';
import { readServerRecord } from './socket.ts';

/** The server's answer; or why no server took the command (nothing was run then). */
export type SendOutcome = { answer: CommandResult } | { notSent: string };

function isResult(value: unknown): value is CommandResult {
  const v = value as CommandResult | null;
  return typeof v?.code === 'number' && typeof v.stdout === 'string' && typeof v.stderr === 'string';
}

export function sendToServer(dataDir: string, argv: string[]): Promise<SendOutcome> {
  const socket = readServerRecord(dataDir)?.socket;
  if (!socket) return Promise.resolve({ notSent: 'no running server records a command socket in the data folder' });
  return new Promise((resolve) => {
    let received = '';
    let connected = false;
    const connection = net.createConnection(socket, () => {
      connected = true;
      connection.write(`${JSON.stringify({ argv })}\n`);
    });
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => (received += chunk));
    connection.on('error', (error: NodeJS.ErrnoException) => {
      // Before connecting nothing was sent; after, the command may have run: say so, do not retry.
      resolve(
        connected
          ? {
              answer: {
                code: 1,
                stdout: '',
                stderr: `lumen: the connection to the server broke (${error.code}); the command may have run`,
              },
            }
          : { notSent: `its command socket ${socket} does not answer (${error.code ?? error.message})` },
      );
    });
    connection.on('close', () => {
      const line = received.split('\n')[0];
      let answer: unknown;
      try {
        answer = JSON.parse(line);
      } catch {
        answer = null;
      }
      resolve({
        answer: isResult(answer)
          ? answer
          : { code: 1, stdout: '', stderr: 'lumen: the server closed the connection without an answer; the command may have run' },
      });
    });
  });
}
