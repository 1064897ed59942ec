// The Lumen instances under test: real server processes (test/support/spawnServer.ts
// starts them on PORT=0 and reads the port from the line saying they listen). The fleet
// knows which are alive, so the load goes only to live ones, as a load balancer
// with health checks would; it notes every death, planned (SIGKILL) or not (a
// crash), because requests in flight on a dying instance may end either way.
import { spawn } from 'node:child_process';
import { API_DIR, spawnServer, type SpawnedServer } from '../../test/support/spawnServer.ts';

export interface Incarnation {
  /** A, B, ... and the how-many-th start of it: "B2" is B after one restart. */
  id: string;
  name: string;
  url: string;
  started: SpawnedServer;
  startedAt: number;
  diedAt: number | null;
  /** How it ended: "killed by SIGKILL", "exit code 1", ... */
  exit: string | null;
  /** Died without the suite asking (a crash). */
  crashed: boolean;
}

export class Fleet {
  readonly all: Incarnation[] = [];
  private readonly current = new Map<string, Incarnation>();
  private readonly deliberate = new Set<Incarnation>();
  constructor(
    private readonly env: (name: string) => Record<string, string>,
    private readonly onCrash: (i: Incarnation) => void,
  ) {}

  async start(name: string): Promise<Incarnation> {
    // Instances run for the whole suite: keep only the tail of what they print.
    const started = await spawnServer({ env: this.env(name), keepOutput: 32_000 });
    const count = this.all.filter((i) => i.name === name).length;
    const incarnation: Incarnation = {
      id: `${name}${count + 1}`,
      name,
      url: `http://127.0.0.1:${started.port}`,
      started,
      startedAt: Date.now(),
      diedAt: null,
      exit: null,
      crashed: false,
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      incarnation.diedAt = Date.now();
      incarnation.exit = signal ? `killed by ${signal}` : `exit code ${code}`;
      incarnation.crashed = !this.deliberate.has(incarnation);
      if (incarnation.crashed) this.onCrash(incarnation);
    };
    if (started.child.exitCode !== null || started.child.signalCode !== null) onExit(started.child.exitCode, started.child.signalCode);
    else started.child.once('exit', onExit);
    this.all.push(incarnation);
    this.current.set(name, incarnation);
    return incarnation;
  }

  /** The instances to send requests to now. */
  live(): Incarnation[] {
    return [...this.current.values()].filter((i) => i.diedAt === null);
  }

  get(name: string): Incarnation {
    return this.current.get(name)!;
  }

  /** Names whose current incarnation died by itself. */
  crashedNames(): string[] {
    return [...this.current.values()].filter((i) => i.crashed).map((i) => i.name);
  }

  private async signal(incarnation: Incarnation, signal: NodeJS.Signals): Promise<void> {
    const child = incarnation.started.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    this.deliberate.add(incarnation);
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
  }

  kill(name: string): Promise<void> {
    return this.signal(this.get(name), 'SIGKILL');
  }

  /** SIGTERM to every live instance (they drain admitted requests and exit), in parallel. */
  async stopAll(): Promise<void> {
    await Promise.all(this.live().map((i) => this.signal(i, 'SIGTERM')));
  }

  /** Whatever is still running, at once (cleanup on failure or timeout). */
  killAll(): void {
    for (const i of this.all) {
      const child = i.started.child;
      if (child.exitCode === null && child.signalCode === null) {
        this.deliberate.add(i);
        child.kill('SIGKILL');
      }
    }
  }
}

/** Runs Lumen's CLI (`npm run lumen -- ...`) against the same database; returns its output. */
export function lumenCli(env: Record<string, string>, args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: API_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`lumen ${args.slice(0, 2).join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

/** The last lines a process printed, for a report on why it died. */
export function tail(incarnation: Incarnation, lines = 8): string {
  return incarnation.started.output().trim().split('\n').slice(-lines).join('\n');
}
