// The metered flow that every /v1 call costing coins goes through (chat, legacy
// completions, embeddings): admit the request by reserving its worst-case cost, call
// the model's provider, then settle the reservation to the actual cost and record
// the usage. Streaming answers are relayed chunk by chunk; a client that leaves a
// stream early stops the upstream and pays for what was produced until then. A
// non-streamed request is answered by the upstream in full whether or not its
// caller waits, and is paid in full.
//
// Admission is `admit` and settlement is `settle`, each in one place: checks that
// every metered request must pass (rate limits) go into these two functions.
import { setUpPoolDirections } from '../domain/directions.ts';
import type { KeyAccess } from '../domain/keyAccess.ts';
import {
  BudgetError,
  overshoots,
  priceOf,
  releaseReservation,
  reserveCoins,
  type Reservation,
  type TokenBounds,
  type UsageStatus,
} from '../domain/metering.ts';
import { settle as settleRequest, settlementQueueFull } from '../domain/settlementQueue.ts';
import { databaseIsDown } from '../db/health.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../db/unavailable.ts';
import { formatCoins } from '../domain/coins.ts';
import type { Model } from '../generated/prisma/client.ts';
import { providerFor, UpstreamError, type CompleteResult, type StreamResult, type TokenUsage } from '../providers/index.ts';
import type { Provider } from '../providers/types.ts';
import { databaseUnavailable, V1Error } from './errors.ts';
import { json, type V1Answer, type V1Request } from './exchange.ts';
import { track } from './inFlight.ts';
import { log } from '../log.ts';
import { recordCoins, recordOvershoot, recordPoolRefusal } from '../metrics.ts';
import type { RateAdmission } from '../domain/rateWindows.ts';
import { admitWithinRateLimits } from './rateLimits.ts';
import { sseData, sseDone, SSE_HEADERS } from './sse.ts';

export interface Metering {
  access: KeyAccess;
  /** The model as it was when the request was admitted: its prices bill the request even if updateModel changes them meanwhile. */
  model: Model;
  reservation: Reservation;
  /** The tokens the reservation covers. */
  bounds: TokenBounds;
  started: number;
  /** The request as counted by its rate limits (its worst-case tokens until settled). */
  rate: RateAdmission;
}

/** What a budget refusal says the worst case is made of, and how to lower it. */
export interface WorstCaseWords {
  /** Such as "its prompt plus max_tokens". */
  madeOf: string;
  /** Such as "Lower max_tokens". */
  lower: string;
}

const CHAT_WORST_CASE: WorstCaseWords = { madeOf: 'its prompt plus max_tokens', lower: 'Lower max_tokens' };

function budgetRefusal(error: BudgetError, access: KeyAccess, words: WorstCaseWords): V1Error {
  const refusal = error.refusal;
  recordPoolRefusal(refusal.reason);
  if (refusal.reason === 'NOT_CONFIGURED') {
    const whose = access.ownerKind === 'client' ? `client "${access.ownerName}"` : 'your personal keys';
    return new V1Error(
      403,
      'insufficient_quota',
      'coin_pool_not_configured',
      `No coin pool is set up for ${whose}, so no model can be called yet; ${setUpPoolDirections(access.owner)}`,
    );
  }
  const refill = refusal.nextRefillAt
    ? ` The next refill is at ${refusal.nextRefillAt.toISOString()}.`
    : ' The pool has no refill; ask an admin for more coins.';
  return new V1Error(
    429,
    'insufficient_quota',
    'insufficient_quota',
    `The coin budget is exhausted: this request may cost up to ${formatCoins(refusal.needed)} coins (${words.madeOf}) and ${formatCoins(refusal.balance)} are left. ${words.lower} or wait for more coins.${refill}`,
  );
}

function statusOf(error: unknown, signal: AbortSignal): UsageStatus {
  if (error instanceof UpstreamError)
    return error.failure === 'timeout' ? 'upstream_timeout' : error.failure ? 'upstream_error' : 'upstream_rejected';
  return signal.aborted ? 'client_disconnected' : 'upstream_error';
}

/**
 * Admits a request: its worst case (`bounds`, at the model's prices) is reserved from the
 * owner's pool, or it is refused. Every metered request passes here before its provider is called.
 */
export async function admit(
  access: KeyAccess,
  model: Model,
  bounds: TokenBounds,
  started: number,
  words: WorstCaseWords = CHAT_WORST_CASE,
): Promise<Metering> {
  const worstCase = priceOf(model, bounds.inputTokens, bounds.outputTokens);
  // Leases could admit without the database, but an answered request must be recordable:
  // while the database is unreachable, or the settlements waiting for it fill their queue, nothing new is admitted.
  if (databaseIsDown() || settlementQueueFull()) throw databaseUnavailable(DATABASE_RETRY_AFTER_SECONDS);
  // Within the key's and its owner's rate limits (429 otherwise), counting its worst-case tokens until settled.
  const admitting = admitWithinRateLimits(access, bounds.inputTokens + bounds.outputTokens);
  const rate = admitting instanceof Promise ? await admitting : admitting;
  let reservation: Reservation;
  try {
    reservation = await reserveCoins(access.owner, worstCase);
  } catch (error) {
    rate.release();
    if (error instanceof BudgetError) throw budgetRefusal(error, access, words);
    throw error;
  }
  return { access, model, reservation, bounds, started, rate };
}

/** Settles an admitted request to the tokens it used, and records its usage. Every metered request ends here, exactly once. */
export async function settle(m: Metering, usage: TokenUsage, status: UsageStatus) {
  // The rate limits counted the worst case at admission: now the tokens used (also on failures).
  m.rate.settle(usage.inputTokens + usage.outputTokens);
  // The upstream was sent the output limit, so more tokens than reserved are its fault:
  // recorded as reported, billed up to the reservation (recordUsage), and shown to admins.
  const overshot = overshoots(m.bounds, usage);
  if (overshot) {
    recordOvershoot(m.model.name);
    log.warn({ model: m.model.name, reported: usage, allowed: m.bounds }, 'an upstream reported more tokens than it was allowed');
  }
  const cost = priceOf(m.model, usage.inputTokens, usage.outputTokens);
  // The upstream has answered: the answer waits for the settlement's batch to commit, unless
  // the database cannot be reached; then the settlement waits in memory until it can
  // (domain/settlementQueue.ts), and the caller gets the answer now. It counts as in flight
  // until recorded, so a stopping server waits for it (up to its shutdown timeout).
  const settlement = await settleRequest({
    owner: m.access.owner,
    apiKeyId: m.access.apiKeyId,
    modelId: m.model.id,
    reservation: m.reservation,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cost,
    status: overshot && (status === 'ok' || status === 'client_disconnected') ? 'upstream_overshoot' : status,
    latencyMs: performance.now() - m.started,
  });
  if (!settlement.queued) return recordCoins(m.model.name, settlement.coins);
  log.warn({ model: m.model.name }, 'the database is unreachable: this request is settled once it is back');
  track(
    settlement.recorded.then(
      () => recordCoins(m.model.name, settlement.coins),
      (error) => log.error({ err: error, model: m.model.name }, 'a queued settlement could not be recorded'),
    ),
  );
}

export function asV1Error(error: unknown): V1Error {
  if (error instanceof UpstreamError) return new V1Error(error.status, error.type, error.code, error.message);
  if (error instanceof V1Error) return error;
  log.error({ err: error }, 'a /v1 request to the upstream failed');
  return new V1Error(502, 'server_error', 'upstream_error', 'The upstream request failed unexpectedly; try again later');
}

/** How to call the provider once the request is admitted. */
export type MeteredPlan =
  | {
      stream: false;
      call: (provider: Provider, signal: AbortSignal) => Promise<CompleteResult>;
    }
  | {
      stream: true;
      call: (provider: Provider, signal: AbortSignal) => Promise<StreamResult>;
      /** The usage-only last chunk (stream_options.include_usage), from the last chunk relayed; null: none is sent. */
      usageChunk: ((last: Record<string, unknown> | null, usage: TokenUsage) => Record<string, unknown>) | null;
    };

/** The whole flow: admit `bounds`, call the provider as `plan` says, settle, answer. */
export async function meteredCall(
  request: V1Request,
  access: KeyAccess,
  model: Model,
  bounds: TokenBounds,
  started: number,
  plan: MeteredPlan,
  words?: WorstCaseWords,
): Promise<V1Answer> {
  const metering = await admit(access, model, bounds, started, words);
  let provider: Provider;
  try {
    provider = providerFor(model);
  } catch (error) {
    await releaseReservation(metering.reservation);
    metering.rate.release();
    throw asV1Error(error);
  }
  const abort = new AbortController();
  if (!plan.stream) {
    // Not tied to the caller: the upstream answers (and is paid) even if the caller
    // leaves, bounded by the upstream timeout; /v1's in-flight tracking waits for it.
    let result: CompleteResult;
    try {
      result = await plan.call(provider, abort.signal);
    } catch (error) {
      await settle(metering, { inputTokens: 0, outputTokens: 0 }, statusOf(error, abort.signal));
      throw asV1Error(error);
    }
    await settle(metering, result.usage, 'ok');
    return json(result.body);
  }
  const onClientGone = () => abort.abort(new Error('client disconnected'));
  request.signal.addEventListener('abort', onClientGone, { once: true });
  if (request.signal.aborted) onClientGone();
  let result: StreamResult;
  try {
    result = await plan.call(provider, abort.signal);
  } catch (error) {
    request.signal.removeEventListener('abort', onClientGone);
    await settle(metering, { inputTokens: 0, outputTokens: 0 }, statusOf(error, abort.signal));
    throw asV1Error(error);
  }
  // The stream is in flight until its usage is recorded (see relay's finish).
  let recorded!: () => void;
  track(new Promise<void>((resolve) => (recorded = resolve)));
  return {
    status: 200,
    headers: SSE_HEADERS,
    stream: relay(plan.usageChunk, metering, result, abort, () => {
      request.signal.removeEventListener('abort', onClientGone);
      recorded();
    }),
  };
}

function relay(
  usageChunk: ((last: Record<string, unknown> | null, usage: TokenUsage) => Record<string, unknown>) | null,
  metering: Metering,
  result: StreamResult,
  abort: AbortController,
  done: () => void,
): ReadableStream<Uint8Array> {
  const iterator = result.chunks[Symbol.asyncIterator]();
  let last: Record<string, unknown> | null = null;
  let settled: Promise<unknown> | null = null;
  const finish = (status: UsageStatus) => {
    // Exactly once, whichever of completion, failure or cancellation comes first.
    settled ??= settle(metering, result.usage(), status).finally(done);
    return settled;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (!next.done) {
          last = next.value;
          controller.enqueue(sseData(next.value));
          return;
        }
        // A provider ends its chunks quietly when the client went away.
        if (abort.signal.aborted) {
          await finish('client_disconnected');
          controller.close();
          return;
        }
        await finish('ok');
        if (usageChunk) controller.enqueue(sseData(usageChunk(last, result.usage())));
        controller.enqueue(sseDone());
        controller.close();
      } catch (error) {
        await finish(statusOf(error, abort.signal)).catch((e) => log.error({ err: e }, 'recording a /v1 request failed'));
        if (abort.signal.aborted) {
          controller.close();
          return;
        }
        const failure = asV1Error(error);
        // Headers are already sent: the error travels as an event, which the OpenAI SDKs raise.
        controller.enqueue(sseData({ error: { message: failure.message, type: failure.type, code: failure.code, param: null } }));
        controller.close();
      }
    },
    async cancel() {
      abort.abort(new Error('client disconnected'));
      await iterator.return?.(undefined).catch(() => undefined);
      await finish('client_disconnected').catch((e) => log.error({ err: e }, 'recording a /v1 request failed'));
    },
  });
}

/** The usage-only chunk OpenAI sends last when stream_options.include_usage is set. */
export function usageOnlyChunk(object: string, model: Model, last: Record<string, unknown> | null, usage: TokenUsage) {
  return {
    id: last?.id ?? null,
    object,
    created: last?.created ?? Math.floor(Date.now() / 1000),
    model: model.name,
    choices: [],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
}

/** A model of the wrong kind for the endpoint: a 400 that names the right one. */
export function requireKind(model: Model, kind: Model['kind']) {
  if (model.kind === kind) return;
  const right =
    model.kind === 'EMBEDDING'
      ? 'an embedding model; call it with POST /v1/embeddings'
      : 'a chat model; call it with POST /v1/chat/completions (or the legacy POST /v1/completions)';
  throw new V1Error(400, 'invalid_request_error', 'wrong_model_kind', `The model ${model.name} is ${right}.`, 'model');
}
