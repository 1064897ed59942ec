// Listening, with the failure as a sentence that says what to do. The server's 'error'
// listener is attached before listen() is called, so that no other listener (ws adds
// one to re-emit it) can leave a process running that serves nothing.
import type { Server } from 'node:http';

export class ListenError extends Error {}

function sentence(error: NodeJS.ErrnoException, port: number, host: string | undefined): string {
  const where = host ? `${host}:${port}` : `port ${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `Lumen could not listen on ${where}: it is already in use; stop the other process or set PORT to a free port`;
    case 'EACCES':
      return `Lumen could not listen on ${where}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `Lumen could not listen on ${where}: HOST is not an address of this machine; fix HOST or leave it unset to listen on all interfaces`;
    default:
      return `Lumen could not listen on ${where} (${error.code ?? error.message}); set PORT and HOST to an address this user may listen on`;
  }
}

/** Resolves once listening; rejects with a ListenError whose message is one line. */
export function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off('listening', listening);
      reject(new ListenError(sentence(error, port, host), { cause: error }));
    };
    const listening = () => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', listening);
    server.listen(port, host);
  });
}
