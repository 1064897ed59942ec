// CPU time of processes, read from /proc (Linux): what a measurement cost each side of it,
// the server, PostgreSQL and the load generator, rather than only how fast it went.
import fs from 'node:fs';

/** CPU seconds (user + system) the processes used so far; processes gone meanwhile count nothing. */
export function cpuSeconds(pids: number[]): number {
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
export function postgresPids(): number[] {
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

/** CPU seconds each side used while `work` ran: the server process, PostgreSQL (when asked) and this process. */
export async function cpuDuring<T>(
  serverPid: number,
  withPostgres: boolean,
  work: () => Promise<T>,
): Promise<{ result: T; server: number; postgres: number | null; loadGenerator: number }> {
  const postgres = withPostgres ? postgresPids() : [];
  const before = { server: cpuSeconds([serverPid]), postgres: cpuSeconds(postgres), self: process.cpuUsage() };
  const result = await work();
  const self = process.cpuUsage(before.self);
  return {
    result,
    server: cpuSeconds([serverPid]) - before.server,
    postgres: withPostgres ? cpuSeconds(postgres) - before.postgres : null,
    loadGenerator: (self.user + self.system) / 1e6,
  };
}
