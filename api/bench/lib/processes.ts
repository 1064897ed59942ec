// Child processes for benchmarks: Lumen's real server, the echo provider, the
// plain page server. Each prints "... listening on port <n>"; we read the port
// from that line because every server listens on PORT=0 (a free port).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Started {
  child: ChildProcess;
  port: number;
  /** Everything the process printed so far (for error reports). */
  output: () => string;
}

export function start(script: string, env: Record<string, string>, pattern: RegExp): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: apiDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (data: Buffer) => {
      output += data.toString();
      // Keep the tail only: a long soak must not grow this buffer without bound.
      if (output.length > 64_000) output = output.slice(-32_000);
      const match = pattern.exec(output);
      if (match) resolve({ child, port: Number(match[1]), output: () => output });
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export const startLumen = (env: Record<string, string>) => start('src/server.ts', env, /Lumen is listening on port (\d+)/);
