// The echo provider served directly over HTTP, without Lumen: the baseline that
// `npm run bench` compares Lumen against. Prints its port like Lumen does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { echoProvider } from '../src/providers/echo.ts';

const model = { name: 'echo', provider: 'echo', upstreamModel: 'echo', maxOutputTokens: 4096 } as Parameters<
  typeof echoProvider.complete
>[0]['model'];

const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', async () => {
    const body = JSON.parse(text) as Record<string, unknown>;
    const result = await echoProvider.complete({
      model,
      body,
      maxOutputTokens: model.maxOutputTokens,
      n: typeof body.n === 'number' ? body.n : 1,
      signal: new AbortController().signal,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result.body));
  });
});
server.listen(0, '127.0.0.1', () => console.log(`echo is listening on port ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
