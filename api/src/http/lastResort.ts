// What a request gets when handling it threw outside GraphQL (whose errors Yoga masks):
// a malformed request is answered 400 with what to fix; anything else a plain 500
// that names the request id, with the error in the log. Never a stack trace or a
// file path in a response: the server adapter's own fallback would send both.
import { createServerAdapter, type ServerAdapterPlugin } from '@whatwg-node/server';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts';
import { log } from '../log.ts';
import { BadRequestError } from './badRequest.ts';
import { observeResponse, requestIdOf } from './observability.ts';

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

function answer(error: unknown, request: Request): Response {
  const id = requestIdOf(request);
  if (error instanceof BadRequestError) return new Response(error.message, { status: 400, headers: TEXT });
  if (isDatabaseUnavailable(error)) {
    log.warn({ err: error, requestId: id, method: request.method }, 'request refused: the database is unreachable');
    return new Response('Lumen cannot reach its database right now; retry in a few seconds.', {
      status: 503,
      headers: { ...TEXT, 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  log.error({ err: error, requestId: id, method: request.method }, 'request failed');
  return new Response(`Lumen failed to handle the request; try again, and tell an admin if it keeps failing (request id ${id}).`, {
    status: 500,
    headers: TEXT,
  });
}

interface Handler {
  fetch(request: Request, serverContext: Record<string, unknown>): Response | Promise<Response>;
}

/** `handler` behind the last resort, then `plugins` (on every answer, the last resort's too). */
export function withLastResort(handler: Handler, plugins: ServerAdapterPlugin[] = []) {
  return createServerAdapter(
    async (request: Request, serverContext: Record<string, unknown>) => {
      let response: Response;
      try {
        // A Host header such as `a b` makes the URL unparsable; every route would trip on it.
        if (!URL.canParse(request.url)) throw new BadRequestError('The request URL is malformed; check the Host header and the address.');
        return await handler.fetch(request, serverContext);
      } catch (error) {
        response = answer(error, request);
      }
      observeResponse(request, response);
      return response;
    },
    { plugins },
  );
}
