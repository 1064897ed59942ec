// The verdicts: availability per fault window and outside them, every answered
// request recorded once, and the balance identity to the last decimal.
//
// How requests are counted:
// - "answered" is a 200 with the full answer and its usage; anything else failed.
// - A request that got no HTTP status at all (timeout, connection refused or reset:
//   typically in flight on an instance that was killed) may or may not have been
//   recorded, or may still hold its reservation: each usage record beyond the
//   answered requests of its key must be one of those. So, per key:
//   answered ≤ records with status ok ≤ answered + requests without a status.
// - Reservations still open at the end (every instance drained and stopped) can only
//   belong to requests that were in flight on an instance that died.
import type { Check } from '../../bench/soak/checks.ts';
import { ABANDONED_AFTER_MS } from '../../src/domain/metering.ts';
import { exact } from '../../src/domain/coins.ts';
import type { FaultRun } from './faults.ts';
import { tail, type Fleet } from './fleet.ts';
import type { Books } from './ledger.ts';
import type { Sent } from './load.ts';
import { describeReadiness, nominal, type ReadySample } from './readiness.ts';
import { describe, longestSilence, overlaps, percent, tally, type Tally } from './windows.ts';

export interface FaultVerdict {
  run: FaultRun;
  inWindow: Tally;
  /** Redis: only while it was down (from kill to restart). */
  duringFault: Tally;
  /** Requests in flight on the killed instance that got no answer. */
  lost: Tally | null;
  silenceSeconds: number;
  /** What /readyz said in the window. */
  readiness: string;
  cost: string;
}

export interface Verdict {
  faults: FaultVerdict[];
  outside: Tally;
  checks: Check[];
  ok: boolean;
}

const MIN_ANSWERED_IN_WINDOW = 0.9;

export function judge(
  log: Sent[],
  loadStart: number,
  runs: FaultRun[],
  fleet: Fleet,
  books: Books,
  stopped: { id: string; exit: string | null }[],
  revocationBoundSeconds: number,
  ready: ReadySample[],
): Verdict {
  const checks: Check[] = [];
  const check = (ok: boolean, what: string, detail: string) => checks.push({ ok, what, detail });
  const load = log.filter((s) => s.loop !== 'probe');
  const dead = new Map(fleet.all.filter((i) => i.diedAt !== null && !stopped.some((s) => s.id === i.id)).map((i) => [i.id, i.diedAt!]));

  const faults = runs.map((run): FaultVerdict => {
    const w = run.window;
    const survivors = load.filter((s) => overlaps(s, w) && s.instance !== run.killed);
    const inWindow = tally(survivors);
    const duringFault = tally(survivors.filter((s) => overlaps(s, { ...w, to: w.over })));
    const lost = run.killed ? tally(load.filter((s) => s.instance === run.killed && s.status !== 200 && s.end >= w.from)) : null;
    const silenceSeconds = longestSilence(load, w);
    const readiness = describeReadiness(ready.filter((r) => r.at >= w.from && r.at <= w.to));
    const share = inWindow.sent === 0 ? 0 : inWindow.answered / inWindow.sent;
    const windowText = `injection → ${run.name === 'redis' ? 'restart' : run.name === 'postgres' ? 'restarted' : 'killed'} + ${((w.to - w.over) / 1000).toFixed(0)} s`;
    let cost = '';
    if (run.name === 'redis') {
      check(
        share >= MIN_ANSWERED_IN_WINDOW,
        `Redis down: ≥ 90% answered (window: ${windowText})`,
        `${describe(inWindow)}; while down: ${describe(duringFault)}`,
      );
      // A second after the kill, every instance has seen its connections reset.
      const whileDown = ready.filter((r) => r.at >= w.from + 1000 && r.at <= w.over);
      check(
        whileDown.length > 0 && whileDown.every((r) => r.status === 200 && r.body?.redis === 'down'),
        'Redis down: /readyz stays 200 and says redis is down',
        describeReadiness(whileDown),
      );
      const r = run.revocation!;
      check(
        r.seconds !== null && r.seconds <= revocationBoundSeconds && !r.afterRedisBack,
        `Redis down: a key revoked on A is refused on B within ${revocationBoundSeconds} s`,
        r.detail,
      );
      const v = run.v1RateLimit!;
      const statuses = v.instances.flatMap((i) => Object.keys(i.statuses).map(Number));
      check(
        v.instances.length > 0 &&
          v.instances.every(
            (i) =>
              i.mostAdmittedInAWindow >= 1 && i.mostAdmittedInAWindow <= v.limit && i.refusalsWithRetryAfter === (i.statuses[429] ?? 0),
          ) &&
          statuses.every((status) => status === 200 || status === 429),
        `Redis down: /v1 rate limits fall back to each instance counting alone (at most the limit per instance, refusals 429 with retry-after)`,
        v.detail,
      );
      cost = `Redis down ${run.faultSeconds.toFixed(0)} s: ${percent(inWindow)} of requests answered in its window (${percent(duringFault)} while down); cross-instance revocation ${r.seconds === null ? `not within ${r.boundSeconds} s` : `within ${r.seconds.toFixed(1)} s`}; rate limits: ${/fail-open/.test(run.rateLimit ?? '') ? 'fail-open' : run.rateLimit}`;
    } else if (run.name === 'postgres') {
      const failures = survivors.filter((s) => s.status !== 200);
      const clear = failures.filter((s) => s.status === 503 && s.retryAfter);
      // Reported, not judged on a time: how long the slowest ones took shows whether anything hung.
      const slowest = (list: Sent[]) =>
        list.length === 0 ? 'none' : `${(Math.max(...list.map((s) => s.end - s.start)) / 1000).toFixed(1)} s`;
      const timing = `slowest failure ${slowest(failures)}, slowest answer ${slowest(survivors.filter((s) => s.status === 200))}`;
      check(
        clear.length === failures.length,
        'PostgreSQL restart: every failure is a 503 with retry-after',
        `${failures.length === 0 ? 'no request failed' : `${clear.length} of ${failures.length} failures were`}; ${timing}; ${describe(inWindow)}`,
      );
      cost = `PostgreSQL restart (${run.faultSeconds.toFixed(1)} s): ${percent(inWindow)} of requests answered in its window, the others refused with 503 and retry-after (${timing}); longest stretch without an answer ${silenceSeconds.toFixed(1)} s`;
      if (failures.length !== clear.length) cost = cost.replace(', the others refused with 503 and retry-after', '');
    } else {
      check(
        share >= MIN_ANSWERED_IN_WINDOW,
        `Instance killed: the survivor answered ≥ 90% (window: ${windowText})`,
        `${describe(inWindow)}`,
      );
      cost = `One of two instances SIGKILLed: the survivor answered ${percent(inWindow)} in the window; ${lost!.sent} requests in flight on the killed one got no answer (any reservation they held is given back after ${ABANDONED_AFTER_MS / 60_000} minutes)`;
    }
    return { run, inWindow, duringFault, lost, silenceSeconds, readiness, cost };
  });

  const crashed = fleet.all.filter((i) => i.crashed);
  check(
    crashed.length === 0,
    'no instance crashed',
    crashed.length === 0
      ? `${fleet.all.length} instance starts, none died unasked`
      : crashed
          .map(
            (i) =>
              `${i.id}: ${i.exit} at ${((i.diedAt! - loadStart) / 1000).toFixed(1)} s; last output: ${tail(i, 4).replace(/\s+/g, ' ').slice(0, 400)}`,
          )
          .join(' | '),
  );

  const outside = tally(load.filter((s) => !runs.some((r) => overlaps(s, r.window))));
  check(outside.sent > 0 && outside.answered === outside.sent, '100% answered outside the fault windows', describe(outside));

  const readyOutside = ready.filter((r) => !runs.some((run) => r.at >= run.window.from && r.at <= run.window.to));
  check(
    readyOutside.length > 0 && readyOutside.every(nominal),
    '/readyz: 200 with everything ok outside the fault windows',
    describeReadiness(readyOutside),
  );

  // Records per key.
  const problems: string[] = [];
  let answered = 0;
  let records = 0;
  let noStatus = 0;
  let priced = exact(0);
  let recordedCoins = exact(0);
  for (const [name, row] of books.perKey) {
    const mine = log.filter((s) => s.key === name);
    const a = mine.filter((s) => s.status === 200).length;
    const u = mine.filter((s) => s.status === 0).length;
    const coins = mine.reduce((sum, s) => (s.coins ? sum.plus(s.coins) : sum), exact(0));
    answered += a;
    records += row.ok;
    noStatus += u;
    priced = priced.plus(coins);
    recordedCoins = recordedCoins.plus(row.okCoins);
    if (row.ok < a || row.ok > a + u) problems.push(`${name}: ${a} answered, ${u} without a status, ${row.ok} records`);
    else if (row.ok === a && !row.okCoins.equals(coins))
      problems.push(`${name}: records say ${row.okCoins.toFixed()} coins, the answers ${coins.toFixed()}`);
  }
  check(
    problems.length === 0,
    'every answered request recorded exactly once (per key)',
    `${answered} answered, ${records} usage records with status ok, ${noStatus} requests without a status (may be either); coins of the answers ${priced.toFixed()}, of the records ${recordedCoins.toFixed()}; records by status: ${Object.entries(
      books.recordsByStatus,
    )
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}${problems.length ? `; PROBLEMS: ${problems.slice(0, 5).join('; ')}` : ''}`,
  );

  const used = books.capacity.minus(books.balance);
  const accounted = books.spent.plus(books.reservations.amount);
  check(
    used.equals(accounted),
    'balance identity: capacity − balance (pool row + leases) = Σ usage + Σ open reservations',
    `${books.capacity.toFixed()} − ${books.balance.toFixed()} (${books.leases.count} leases hold ${books.leases.amount.toFixed()}) = ${used.toFixed()}; Σ UsageRecord.coins ${books.spent.toFixed()} + Σ CoinReservation.amount ${books.reservations.amount.toFixed()} (${books.reservations.count} open) = ${accounted.toFixed()}`,
  );

  check(
    books.rolledUp.coins.equals(books.spent) && books.rolledUp.requests === books.records,
    'usage series agree with the records: Σ UsageRollup = Σ UsageRecord (requests and coins)',
    `rollups ${books.rolledUp.requests} requests, ${books.rolledUp.coins.toFixed()} coins; records ${books.records} requests, ${books.spent.toFixed()} coins`,
  );

  const lostToDeaths = log.filter((s) => dead.has(s.instance) && s.status === 0 && s.start <= dead.get(s.instance)!).length;
  check(
    books.reservations.count <= lostToDeaths,
    'open reservations only from instances that died',
    `${books.reservations.count} open after every live instance drained; ${lostToDeaths} requests were in flight on instances that died`,
  );

  check(
    stopped.every((s) => s.exit === 'exit code 0'),
    'instances stop cleanly on SIGTERM at the end',
    stopped.map((s) => `${s.id}: ${s.exit}`).join(', '),
  );

  return { faults, outside, checks, ok: checks.every((c) => c.ok) };
}
