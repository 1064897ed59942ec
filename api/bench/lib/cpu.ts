// CPU time of processes, read from /proc (Linux): what a measurement cost each side of it,
// the server, PostgreSQL and the load generator, rather than only how fast it went.
import fs from 'node:fs';

/** CPU seconds (user + system) the processes used so far; processes gone meanwhile count nothing. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 per second).
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/** The PostgreSQL server's processes (postmaster and backends) on this machine. */
function postgresPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU seconds each PostgreSQL process had used so far, by process id. */
function postgresCpu(): Map<number, number> {
  return new Map(postgresPids().map((pid) => [pid, cpuSeconds([pid])]));
}

/**
 * CPU seconds each side used while `work` ran: the server process, PostgreSQL (when asked) and
 * this process. PostgreSQL's processes are listed again afterwards, so a backend started
 * meanwhile counts all it used.
 */
export async function cpuDuring<T>(
  serverPid: number,
  withPostgres: boolean,
  work: () => Promise<T>,
): Promise<{ result: T; server: number; postgres: number | null; loadGenerator: number }> {
  const before = { server: cpuSeconds([serverPid]), postgres: withPostgres ? postgresCpu() : null, self: process.cpuUsage() };
  const result = await work();
  const self = process.cpuUsage(before.self);
  const server = cpuSeconds([serverPid]) - before.server;
  let postgres: number | null = null;
  if (before.postgres) {
    postgres = 0;
    for (const [pid, seconds] of postgresCpu()) postgres += seconds - (before.postgres.get(pid) ?? 0);
  }
  return { result, server, postgres, loadGenerator: (self.user + self.system) / 1e6 };
}
