// A server as a real child process, and the port it listens on: for the API tests that need
// a real process (logs, signals, several instances), the benchmarks, the fault suite and the
// browser suite (admin-ui/e2e imports this file). Each server prints "... listening on port
// <n>" once it accepts connections; the port is read from that line, since most are started
// on PORT=0 (a free port chosen by the system).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The API workspace: servers run from here, so `script` is relative to it. */
export const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What src/server.ts prints when it is ready. */
export const LUMEN_LISTENING = /Lumen is listening on port (\d+)/;

/** Lumen's server as production runs it: compiled by `npm run build` (scripts/build.mjs). */
export const COMPILED_SERVER = 'dist/server.js';

/**
 * How production starts Node for Lumen (the Dockerfile's CMD and ENV, api/package.json's
 * `start`; test/productionRuntime.test.ts keeps the three the same), so that the benchmark
 * measures what is deployed. Both keep an idle instance's memory down (api/bench/results.md):
 * - a young generation of at most 4 MB per semi-space instead of up to 16: V8 grows it under
 *   load and keeps it, about 25 MB held for nothing once the load is gone. 1 MB held about as
 *   much idle once Prisma's query compiler was built for size (README, "Memory"), and cost the
 *   admin API a tenth of its throughput in garbage collection;
 * - glibc's malloc serving allocations from 64 KiB up with mmap, so that they go back to the
 *   system when freed: by default the threshold rises as large blocks are freed, and the
 *   compilers' large temporary buffers (Prisma's query compiler is WebAssembly) then stay in
 *   the heap and its per-thread arenas, 20 to 40 MB kept after start.
 */
export const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=4'];
export const PRODUCTION_ENV = { MALLOC_MMAP_THRESHOLD_: '65536' };

export interface SpawnOptions {
  /** The entry point, relative to api/. Lumen's server unless said otherwise. */
  script?: string;
  /**
   * Run `script` as JavaScript with plain Node (default COMPILED_SERVER, which `npm run build`
   * must have written), as production does, with production's PRODUCTION_NODE_ARGS and
   * PRODUCTION_ENV; otherwise it is TypeScript run with tsx.
   */
  compiled?: boolean;
  /**
   * Production's PRODUCTION_NODE_ARGS and PRODUCTION_ENV for a TypeScript script too: the
   * benchmark's plain handler is measured under the same V8 and malloc settings as Lumen.
   */
  productionRuntime?: boolean;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** The line that says the server is ready; its first group is the port. */
  listening?: RegExp;
  /** A server that has not printed that line by then is killed and reported. */
  timeoutMs?: number;
  /** Keep only about this many characters of output: a long soak must not grow it without bound. */
  keepOutput?: number;
}

export interface SpawnedServer {
  child: ChildProcess;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Everything the process printed so far on stdout and stderr (for assertions and error reports). */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Starts the server and resolves once it listens; rejects if it exits or stays silent first. */
export function spawnServer(options: SpawnOptions = {}): Promise<SpawnedServer> {
  const { compiled = false, env = {}, listening = LUMEN_LISTENING, timeoutMs = 90_000, keepOutput = Infinity } = options;
  const script = options.script ?? (compiled ? COMPILED_SERVER : 'src/server.ts');
  const production = compiled || options.productionRuntime === true;
  const args = [...(production ? PRODUCTION_NODE_ARGS : []), ...(compiled ? [] : ['--import', 'tsx']), script];
  const child = spawn(process.execPath, args, {
    cwd: API_DIR,
    env: { ...(production ? PRODUCTION_ENV : {}), ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave a server behind, even when the run that started it is cut short.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  let output = '';
  const read = (data: Buffer) => {
    output += data.toString();
    if (output.length > keepOutput * 2) output = output.slice(-keepOutput);
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs / 1000} s:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = listening.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      const port = Number(match[1]);
      resolve({ child, port, url: `http://127.0.0.1:${port}`, output: () => output, exited });
    };
    // Registered after `read`, so the line is in `output` when this runs.
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before listening:\n${output}`));
    });
  });
}

/** SIGTERM (the server drains and exits), then SIGKILL if it is still there after `killAfterMs`. */
export async function stopServer(child: ChildProcess | undefined, killAfterMs = 15_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(killer);
}
