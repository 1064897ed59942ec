// What the figures were measured on: they mean little without it.
import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: string;
  node: string;
  os: string;
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** Resident set size of a process in MiB, from /proc (Linux); null when it is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Resident set size in MB (10^6 bytes, as the goals are stated); null when the process is gone. */
export function rssMB(pid: number): number | null {
  const mib = rssMiB(pid);
  return mib === null ? null : (mib * 2 ** 20) / 1e6;
}

/** The median of `samples` readings `everyMs` apart: one reading can catch a collection half done. */
export async function settledRssMB(pid: number, samples = 3, everyMs = 1000): Promise<number | null> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
    const mb = rssMB(pid);
    if (mb !== null) readings.push(mb);
  }
  readings.sort((a, b) => a - b);
  return readings.length ? readings[Math.floor(readings.length / 2)] : null;
}

/** Reads the RSS every `everyMs` until stopped; stop() gives the highest reading. */
export function watchPeakRssMB(pid: number, everyMs = 1000): { stop: () => number | null } {
  let peak: number | null = null;
  const read = () => {
    const mb = rssMB(pid);
    if (mb !== null && (peak === null || mb > peak)) peak = mb;
  };
  const timer = setInterval(read, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return peak;
    },
  };
}
