// The OpenAI-compatible API under /v1. Every answer, success or refusal, is in
// OpenAI's shapes so that the official SDKs work unchanged against Lumen.
import { hashSecret } from '../domain/secrets.ts';
import { authenticate, secretOf } from './auth.ts';
import { chatCompletions } from './chatCompletions.ts';
import { databaseUnavailable, errorResponse, V1Error } from './errors.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts';
import { listModels, retrieveModel } from './models.ts';
import { isDraining, track } from './inFlight.ts';
import { modelOfRequest } from './chatCompletions.ts';
import { log } from '../log.ts';
import { recordV1 } from '../metrics.ts';

const notAllowed = (method: string, path: string, allowed: string) =>
  new V1Error(405, 'invalid_request_error', 'method_not_allowed', `${method} ${path} is not supported; use ${allowed} ${path}`);

async function route(request: Request, url: URL): Promise<Response> {
  const path = url.pathname.replace(/\/+$/, '');
  const known = path === '/v1/chat/completions' || path === '/v1/models' || path.startsWith('/v1/models/');
  if (!known) {
    throw new V1Error(
      404,
      'invalid_request_error',
      'unknown_url',
      `Lumen does not serve ${request.method} ${url.pathname}; it supports GET /v1/models and POST /v1/chat/completions`,
    );
  }
  const access = await authenticate(request);
  if (path === '/v1/chat/completions') {
    if (request.method !== 'POST') throw notAllowed(request.method, path, 'POST');
    return chatCompletions(request, access, hashSecret(secretOf(request)));
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

async function answer(request: Request, url: URL): Promise<Response> {
  try {
    // A stopping server finishes what it admitted and admits nothing new.
    if (isDraining()) throw new V1Error(503, 'server_error', 'shutting_down', 'This Lumen instance is shutting down; retry the request');
    return await route(request, url);
  } catch (error) {
    if (error instanceof V1Error) return errorResponse(error);
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: error, method: request.method, path: url.pathname }, '/v1 request refused: the database is unreachable');
      return errorResponse(databaseUnavailable(DATABASE_RETRY_AFTER_SECONDS));
    }
    // Never the request itself in the log: it carries the key.
    log.error({ err: error, method: request.method, path: url.pathname }, '/v1 request failed');
    return errorResponse(
      new V1Error(
        500,
        'server_error',
        'internal_error',
        'Lumen failed to handle the request; try again, and tell an admin if it keeps failing',
      ),
    );
  }
}

export async function handleV1(request: Request, url: URL): Promise<Response> {
  const started = performance.now();
  const response = await track(answer(request, url));
  recordV1(modelOfRequest.get(request) ?? '-', response.status, (performance.now() - started) / 1000);
  return response;
}
