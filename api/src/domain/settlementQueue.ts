// Group-committed settlement. Settlements that finish together are written together: one
// statement (so one transaction) inserts all their usage records and updates each hot row
// once with the batch's sums: the lease (or, for per-request reservations, the pool), the
// keys' counters and the per-model counters. A request is answered only after its batch
// commits, so an answered request is never lost, but a busy instance commits many
// requests at once instead of one at a time.
//
// Batches: when nothing is being written, the next batch starts on the next turn of the
// event loop (what arrived together goes together; a lone request waits for nothing);
// while MAX_WRITING batches are being written, arrivals wait for one of them (that
// commit's duration is the window, which therefore only exists under load). At most
// MAX_BATCH settlements per statement.
//
// While the database is unreachable, a settlement stays queued in memory and is retried,
// with backoff, until it commits; its request is answered meanwhile (the caller learns
// `queued`). The queue is bounded: when full, /v1 admits nothing new. A crash loses what
// is queued (README: "Coins and usage").
import { database } from '../db/current.ts';
import type { Statement } from '../db/hotSql.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { publishOwnerChange } from '../events/bus.ts';
import { noteSpending } from './budgetAlertCrossings.ts';
import { log } from '../log.ts';
import type { Decimal } from './coins.ts';
import { closedOnLease, settledOnLease } from './leases.ts';
import { forgetReservation, type Reservation, type UsageStatus } from './metering.ts';
import type { Owner } from './owner.ts';
import { settleBatchStatement } from './settleBatchStatement.ts';
import { settleOneStatement } from './settleOneStatement.ts';
import { uuidv7 } from './uuid.ts';

export interface MeteredRequest {
  owner: Owner;
  apiKeyId: string;
  modelId: string;
  reservation: Reservation;
  inputTokens: number;
  outputTokens: number;
  /** The actual cost of the tokens (priceOf). */
  cost: Decimal;
  status: UsageStatus;
  latencyMs: number;
  /** The UsageRecord's id; a settlement retried with the same id is recorded once. */
  recordId?: string;
}

export interface Settlement {
  /** The coins charged. */
  coins: Decimal;
  /** True when the database was unreachable and the settlement waits in memory for it. */
  queued: boolean;
  /** Resolves once recorded; rejects if it can never be (its coins are then reclaimed by a sweeper). */
  recorded: Promise<void>;
}

/** Settlements in one statement at most. */
const MAX_BATCH = 500;
/** Batches being written at once: the next one gathers what arrives meanwhile. */
const MAX_WRITING = 1;
/** Settlements kept in memory while the database is unreachable; /v1 admits nothing new past it. */
export const MAX_QUEUED = 10_000;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5_000;
/** Deadlocks and serialization failures between instances' batches are retried at once, this often. */
const MAX_CONFLICT_RETRIES = 5;

interface Item {
  row: Row;
  request: MeteredRequest;
  coins: Decimal;
  /** Settles the caller's wait for the first attempt: committed, or queued for the outage. */
  first: (outcome: 'committed' | 'queued' | Error) => void;
  firstDone: boolean;
  done: () => void;
  failed: (error: unknown) => void;
}

/** What one settlement adds to the batch statement (JSON, read by jsonb_to_recordset). */
export interface Row {
  id: string;
  apiKeyId: string;
  clientId: string | null;
  userId: string | null;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  coins: string;
  reservedCoins: string;
  status: string;
  latencyMs: number;
  poolId: string | null;
  reservationId: string | null;
  refund: string;
  leaseId: string | null;
}

const arriving: Item[] = [];
/** Settlements whose first attempt met an outage, retried in order. */
const waiting: Item[] = [];
let writing = 0;
let scheduled = false;
let retryTimer: NodeJS.Timeout | null = null;
let retryDelay = FIRST_RETRY_MS;

let batchesCommitted = 0;
let settlementsCommitted = 0;

/** Batches and settlements committed so far (metrics: their ratio is the mean batch size). */
export const settlementStats = () => ({ batches: batchesCommitted, settlements: settlementsCommitted });

/** Settlements not yet committed that waited for an outage (the metric, and shutdown's log line). */
export const unsettledCount = () => waiting.length;

/** Whether /v1 must stop admitting: the queue of settlements waiting for the database is full. */
export const settlementQueueFull = () => waiting.length + arriving.length >= MAX_QUEUED;

const safeCount = (value: number) => (Number.isSafeInteger(value) && value > 0 ? Math.min(value, 2 ** 31 - 1) : 0);

/**
 * What a settlement charges: the actual cost, except that a LIMITED pool is never charged
 * more than was reserved (an upstream that overshoots the limits it was given is not billed
 * beyond them), so its balance cannot go negative.
 */
export function chargeOf(reservation: Reservation, cost: Decimal): Decimal {
  return reservation.state === 'LIMITED' && cost.greaterThan(reservation.reserved) ? reservation.reserved : cost;
}

/**
 * Settles a request: resolves once its batch has committed, or, if the database cannot be
 * reached, as soon as that is known, with `queued` (it is then retried until it commits).
 */
export function settle(request: MeteredRequest): Promise<Settlement> {
  const { reservation, owner } = request;
  const coins = chargeOf(reservation, request.cost);
  const row: Row = {
    id: request.recordId ?? uuidv7(),
    apiKeyId: request.apiKeyId,
    clientId: owner.clientId ?? null,
    userId: owner.userId ?? null,
    modelId: request.modelId,
    inputTokens: safeCount(request.inputTokens),
    outputTokens: safeCount(request.outputTokens),
    coins: coins.toFixed(),
    reservedCoins: reservation.worstCase.toFixed(),
    status: request.status,
    latencyMs: Math.max(0, Math.round(request.latencyMs)),
    poolId: reservation.state === 'LIMITED' ? reservation.poolId : null,
    reservationId: reservation.id,
    refund: reservation.id ? reservation.reserved.minus(coins).toFixed() : '0',
    leaseId: reservation.lease?.id ?? null,
  };
  // The lease's unspent part is available again now; its row follows when the batch commits.
  if (reservation.lease) settledOnLease(reservation.lease, reservation.reserved, coins);
  return new Promise<Settlement>((resolve, reject) => {
    let resolveRecorded!: () => void;
    let rejectRecorded!: (error: unknown) => void;
    const recorded = new Promise<void>((res, rej) => {
      resolveRecorded = res;
      rejectRecorded = rej;
    });
    // Nobody may be listening any more once the first outcome is told.
    recorded.catch(() => undefined);
    const item: Item = {
      row,
      request,
      coins,
      firstDone: false,
      first: (outcome) => {
        if (item.firstDone) return;
        item.firstDone = true;
        if (outcome instanceof Error) reject(outcome);
        else resolve({ coins, queued: outcome === 'queued', recorded });
      },
      done: resolveRecorded,
      failed: rejectRecorded,
    };
    arriving.push(item);
    schedule();
  });
}

function schedule() {
  if (scheduled || writing >= MAX_WRITING || arriving.length === 0) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    while (writing < MAX_WRITING && arriving.length > 0) void write(arriving.splice(0, MAX_BATCH));
  });
}

async function write(batch: Item[]) {
  writing++;
  try {
    await commit(batch);
  } finally {
    writing--;
    schedule();
  }
}

/** Runs the batch's statement; returns the leases whose rows it did not find (runSettlement). */
async function runBatch(batch: Item[]): Promise<Set<string>> {
  const rows = batch.map((item) => item.row);
  // A lone settlement (the common case below full load) has a shorter statement of its own.
  const one = rows.length === 1 ? settleOneStatement(rows[0]) : null;
  return one ? runSettlement(one.statement, one.params) : runSettlement(settleBatchStatement(rows), [JSON.stringify(rows)]);
}

/**
 * Runs a settlement statement (either kind); returns the leases whose rows it did not find
 * (given back meanwhile: an admin's change, a reclaim). A settlement already recorded by an
 * earlier attempt is not counted as missing its lease. Exported for the test that runs both
 * kinds on the same rows.
 */
export async function runSettlement(statement: Statement, params: unknown[]): Promise<Set<string>> {
  const [result] = await database().hot.query<{ missingLeases: string[] | string }>(statement, params);
  const missing = result.missingLeases;
  return new Set(typeof missing === 'string' ? (JSON.parse(missing) as string[]) : missing);
}

const isConflict = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};

/** Writes one batch, retrying conflicts; an outage sends it to the waiting queue; any other failure is split up. */
async function commit(batch: Item[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      committed(batch, await runBatch(batch));
      return;
    } catch (error) {
      if (isConflict(error) && attempt < MAX_CONFLICT_RETRIES) continue;
      if (isDatabaseUnavailable(error)) return wait(batch);
      if (batch.length > 1) {
        // One bad settlement must not take the others with it.
        for (const item of batch) await commit([item]);
        return;
      }
      failed(batch[0], error);
      return;
    }
  }
}

function committed(batch: Item[], leasesMissing: Set<string>) {
  batchesCommitted++;
  settlementsCommitted += batch.length;
  const events = new Map<string, { owner: Owner; apiKeyId: string; modelId: string; requests: number }>();
  for (const item of batch) {
    const { reservation } = item.request;
    if (reservation.lease) closedOnLease(reservation.lease, leasesMissing.has(reservation.lease.id));
    if (reservation.id) forgetReservation(reservation);
    const key = `${item.row.clientId ?? item.row.userId}/${item.row.apiKeyId}/${item.row.modelId}`;
    const event = events.get(key);
    if (event) event.requests++;
    else events.set(key, { owner: item.request.owner, apiKeyId: item.row.apiKeyId, modelId: item.row.modelId, requests: 1 });
  }
  for (const item of batch) {
    item.first('committed');
    item.done();
  }
  // After the batch's callers have their answers (they are written from the microtasks that
  // run before this): nobody waits for these, and they would add to every request's latency.
  setImmediate(() => {
    // Subscribers hear each (owner, key, model) once per batch, with the figures after it.
    for (const event of events.values()) {
      publishOwnerChange({
        change: 'METERED',
        clientId: event.owner.clientId ?? null,
        userId: event.owner.userId ?? null,
        apiKeyId: event.apiKeyId,
        modelId: event.modelId,
        requests: event.requests,
      });
    }
    // Clients' LIMITED pools went down: their budget alert thresholds are checked, in the background.
    noteSpending(new Set(batch.flatMap((item) => (item.row.poolId && item.row.clientId ? [item.row.clientId] : []))));
  });
}

function failed(item: Item, error: unknown) {
  // Never recorded. A lease row was not lowered for it (what this process believes is left is
  // then lower than the row: never more spent than held); a reservation row is reclaimed by a sweeper.
  const { reservation } = item.request;
  if (reservation.lease) closedOnLease(reservation.lease);
  if (reservation.id) forgetReservation(reservation);
  log.error({ err: error }, 'a /v1 settlement could not be recorded');
  item.first(error instanceof Error ? error : new Error(String(error)));
  item.failed(error);
}

function wait(batch: Item[]) {
  waiting.push(...batch);
  for (const item of batch) item.first('queued');
  if (retryTimer) return;
  retryTimer = setTimeout(() => void retry(), retryDelay);
  // Shutdown waits for these through /v1's in-flight tracking, with its own deadline.
  retryTimer.unref();
}

async function retry() {
  retryTimer = null;
  const batch = waiting.splice(0, MAX_BATCH);
  if (batch.length === 0) return;
  try {
    const missingLeases = await runBatch(batch);
    retryDelay = FIRST_RETRY_MS;
    committed(batch, missingLeases);
  } catch (error) {
    if (isDatabaseUnavailable(error) || isConflict(error)) {
      waiting.unshift(...batch);
      retryDelay = Math.min(retryDelay * 2, LAST_RETRY_MS);
    } else {
      for (const item of batch) await commit([item]);
    }
  }
  if (waiting.length > 0) {
    retryTimer = setTimeout(() => void retry(), retryDelay);
    retryTimer.unref();
  }
}
