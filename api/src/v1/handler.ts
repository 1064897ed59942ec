// The OpenAI-compatible API under /v1. Every answer, success or refusal, is in
// OpenAI's shapes so that the official SDKs work unchanged against Lumen.
import { authenticate } from './auth.ts';
import { chatCompletions } from './chatCompletions.ts';
import { completions } from './completions.ts';
import { embeddings } from './embeddings.ts';
import { databaseUnavailable, errorAnswer, V1Error } from './errors.ts';
import type { V1Answer, V1Request } from './exchange.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts';
import { listModels, retrieveModel } from './models.ts';
import { isDraining, track } from './inFlight.ts';
import { log } from '../log.ts';
import { recordV1 } from '../metrics.ts';
import { noteCaller, withRateLimitHeaders } from './rateLimits.ts';

/** The POST endpoints, by path. */
const POSTS = {
  '/v1/chat/completions': chatCompletions,
  '/v1/completions': completions,
  '/v1/embeddings': embeddings,
} as const;

const isPost = (path: string): path is keyof typeof POSTS => Object.hasOwn(POSTS, path);

const notAllowed = (method: string, path: string, allowed: string) =>
  new V1Error(405, 'invalid_request_error', 'method_not_allowed', `${method} ${path} is not supported; use ${allowed} ${path}`);

async function route(request: V1Request): Promise<V1Answer> {
  const path = request.path.replace(/\/+$/, '');
  const known = isPost(path) || path === '/v1/models' || path.startsWith('/v1/models/');
  if (!known) {
    throw new V1Error(
      404,
      'invalid_request_error',
      'unknown_url',
      `Lumen does not serve ${request.method} ${request.path.slice(0, 200)}; it supports GET /v1/models, POST /v1/chat/completions, POST /v1/completions and POST /v1/embeddings`,
    );
  }
  const { access, keyHash } = await authenticate(request);
  noteCaller(request, access);
  if (isPost(path)) {
    if (request.method !== 'POST') throw notAllowed(request.method, path, 'POST');
    return POSTS[path](request, access, keyHash);
  }
  if (request.method !== 'GET') throw notAllowed(request.method, path, 'GET');
  if (path === '/v1/models') return listModels(access);
  const name = path.slice('/v1/models/'.length);
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // not percent-encoded after all: look it up as sent
  }
  return retrieveModel(access, decoded);
}

async function answer(request: V1Request): Promise<V1Answer> {
  try {
    // A stopping server finishes what it admitted and admits nothing new.
    if (isDraining()) throw new V1Error(503, 'server_error', 'shutting_down', 'This Lumen instance is shutting down; retry the request');
    return await route(request);
  } catch (error) {
    if (error instanceof V1Error) return errorAnswer(error);
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: error, method: request.method, path: request.path }, '/v1 request refused: the database is unreachable');
      return errorAnswer(databaseUnavailable(DATABASE_RETRY_AFTER_SECONDS));
    }
    // Never the request itself in the log: it carries the key.
    log.error({ err: error, method: request.method, path: request.path }, '/v1 request failed');
    return errorAnswer(
      new V1Error(
        500,
        'server_error',
        'internal_error',
        'Lumen failed to handle the request; try again, and tell an admin if it keeps failing',
      ),
    );
  }
}

/** Answers a /v1 request (from node:http, v1/nodeRoute.ts, or a fetch-style Request, v1/fetchRoute.ts). */
export async function answerV1(request: V1Request): Promise<V1Answer> {
  const started = performance.now();
  const answered = withRateLimitHeaders(request, await track(answer(request)));
  recordV1(request.model ?? '-', answered.status, (performance.now() - started) / 1000);
  return answered;
}
