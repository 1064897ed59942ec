// The plain client-page handler (clientPage/plain.ts) served over HTTP on loopback,
// in a process of its own like Lumen's server, so both are measured the same way:
// same load generator, same network path, neither sharing a CPU with the load.
// Opens the database as Lumen does (DATABASE_URL or the data folder, same pool size).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config.ts';
import { closeLumen, openLumen } from '../src/lumen.ts';
import { answerPlain } from './clientPage/plain.ts';

const database = await openLumen(loadConfig(), { purpose: 'bench plain handler', migrate: false });

const server = createServer((req, res) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (text += chunk));
  req.on('end', async () => {
    try {
      const answer = await answerPlain(JSON.parse(text), req.headers.authorization ?? null);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`plain page server is listening on port ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  server.close(() => closeLumen(database).then(() => process.exit(0)));
  // Idle keep-alive connections from the load generator would hold close() open.
  server.closeAllConnections();
});
