// A real Lumen for the browser suite: the built admin UI, the API server and the CLI, on a
// fresh embedded database in a temporary folder. Nothing is mocked.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The API's own helper, shared with its tests and benchmarks (a relative import: no workspace depends on the other).
import { spawnServer, stopServer } from '../../../api/test/support/spawnServer.ts';

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
  private serverOutput: () => string = () => '';

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** A fresh data folder and a port (and settings beyond the defaults below); nothing runs yet. */
  static async create(env: NodeJS.ProcessEnv = {}): Promise<Lumen> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lumen-e2e-'));
    return new Lumen(dataDir, await freePort(), env);
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
      ...this.extraEnv,
    };
  }

  /**
   * `lumen <args>` (api/src/cli/main.ts) against this data folder; returns its output.
   * While the server runs, the server runs it (the command line sends it through the data folder's socket).
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
    const server = await spawnServer({ env: this.env });
    this.server = server.child;
    this.serverOutput = server.output;
  }

  /** What the server printed so far (for failure messages). */
  get log(): string {
    return this.serverOutput();
  }

  /** SIGTERM, wait for the exit, then delete the data folder. */
  async stop(): Promise<void> {
    const child = this.server;
    this.server = null;
    await stopServer(child ?? undefined);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  /** A GraphQL request with an admin-API token (from `lumen token create`). */
  async graphql<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!body.data || body.errors) throw new Error(`GraphQL failed (${response.status}): ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** `{ viewer { email } }` with an admin-API token, as a script would send it: the status and the body, refused or not. */
  async asScript(
    token: string,
  ): Promise<{ status: number; body: { data?: { viewer: { email: string } }; errors?: { message: string }[] } }> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { email } }' }),
    });
    return { status: response.status, body: await response.json() };
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
