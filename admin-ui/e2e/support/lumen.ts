// A real Lumen for the browser suite: the built admin UI, the API server and the CLI, on a
// fresh embedded database in a temporary folder. Nothing is mocked.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIST_INDEX = path.join(ROOT, 'admin-ui/dist/index.html');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The production build the server serves at `/`. LUMEN_E2E_SKIP_BUILD=1 reuses an existing
 * admin-ui/dist (for iterating on the tests); CI always builds.
 */
export async function buildUi(): Promise<void> {
  if (process.env.LUMEN_E2E_SKIP_BUILD === '1' && existsSync(DIST_INDEX)) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['run', 'build', '-w', '@lumen/admin-ui'], {}, 180_000);
  if (result.code !== 0) throw new Error(`Building the admin UI failed:\n${result.stdout}\n${result.stderr}`);
}

/** A port nobody listens on right now (the server needs it up front for LUMEN_PUBLIC_URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class Lumen {
  readonly url: string;
  private server: ChildProcess | null = null;
  private serverLog = '';

  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** A fresh data folder and a port; nothing runs yet. */
  static async create(): Promise<Lumen> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lumen-e2e-'));
    return new Lumen(dataDir, await freePort());
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'development', // session cookies are Secure (https only) in the other modes
      LUMEN_DATA_DIR: this.dataDir,
      PORT: String(this.port),
      LUMEN_PUBLIC_URL: this.url,
      LUMEN_OIDC_ISSUER: '',
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    };
  }

  /**
   * `lumen <args>` (api/src/cli/main.ts) against this data folder; returns its output.
   * With the embedded database it must run while the server is stopped.
   */
  async cli(...args: string[]): Promise<string> {
    const result = await run(process.execPath, ['--import', 'tsx', 'api/src/cli/main.ts', ...args], this.env, 120_000);
    if (result.code !== 0) throw new Error(`lumen ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** A one-time sign-in URL for the user (the last line the CLI prints). */
  async loginLink(email: string): Promise<string> {
    const out = (await this.cli('login-link', '--email', email)).trim();
    const url = out.split('\n').at(-1)!.trim();
    if (!url.startsWith(`${this.url}/auth/login?token=`)) throw new Error(`Unexpected login-link output:\n${out}`);
    return url;
  }

  /** Starts the API server (which serves the built UI) and waits for "Lumen is listening". */
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server = child;
    // Never leave a server behind, even when the test run itself is cut short.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    child.stdout!.on('data', (d) => (this.serverLog += d));
    child.stderr!.on('data', (d) => (this.serverLog += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The server did not start within 90 s:\n${this.serverLog}`)), 90_000);
      const onData = () => {
        if (/Lumen is listening on port \d+/.test(this.serverLog)) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The server exited (${code}) before listening:\n${this.serverLog}`));
      });
    });
  }

  /** What the server printed so far (for failure messages). */
  get log(): string {
    return this.serverLog;
  }

  /** SIGTERM, wait for the exit, then delete the data folder. */
  async stop(): Promise<void> {
    const child = this.server;
    this.server = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killTimer);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** POST /v1/chat/completions with an API key, as any OpenAI client would. */
  async chat(apiKey: string, model: string, text: string): Promise<{ status: number; body: ChatCompletion }> {
    const response = await fetch(`${this.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: text }] }),
    });
    return { status: response.status, body: (await response.json()) as ChatCompletion };
  }
}

export interface ChatCompletion {
  choices?: { message: { content: string } }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  error?: { code: string; message: string };
}
