// Lumen servers as real processes (src/server.ts on a free port), for tests of a
// deployment with several instances on one PostgreSQL and one Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Instance {
  process: ChildProcess;
  url: string;
  output: string[];
}

export function startServer(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: apiDir,
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output.push(data.toString());
      const match = /Lumen is listening on port (\d+)/.exec(output.join(''));
      if (match) resolve({ process: child, url: `http://127.0.0.1:${match[1]}`, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (data: Buffer) => output.push(data.toString()));
    child.on('exit', (code) => reject(new Error(`The Lumen server exited with ${code} before listening:\n${output.join('')}`)));
  });
}

export async function stopServer(instance: Instance | undefined): Promise<void> {
  if (!instance || instance.process.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.process.once('exit', resolve));
  instance.process.kill('SIGTERM');
  await exited;
}

/** A GraphQL request to one instance with an admin-API token; the whole answer, errors included. */
export async function gqlOn(
  instance: Instance,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: any; errors?: unknown[] }> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}
