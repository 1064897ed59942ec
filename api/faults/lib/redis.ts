// The fault suite's own Redis on a spare port: no persistence (a restart comes back
// empty, as after a failover to a fresh replica), a temporary working folder, and a
// process group of its own so that SIGKILL takes it down at once.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisServer {
  url: string;
  /** SIGKILL: no shutdown, no goodbye to clients. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function createRedis(port: number): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lumen-faults-redis-'));
  let child: ChildProcess | null = null;
  let output = '';
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || exited(c)) return;
    const gone = new Promise((resolve) => c.once('exit', resolve));
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
    await gone;
  };
  const start = async () => {
    output = '';
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    const keep = (data: Buffer) => (output = (output + data.toString()).slice(-8000));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    c.once('error', (error) => (output += `\n${error.message}`));
    for (let i = 0; i < 100; i++) {
      if (exited(c)) break;
      if (await ping(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await kill();
    throw new Error(`redis-server did not start on port ${port} (is it installed? apt-get install redis-server):\n${output}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    destroy: async () => {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
