// One POST of a webhook. The connection goes to the address resolveWebhookHost checked (it is
// the `lookup` of the socket, so no second resolution can answer differently), while the Host
// header and TLS's server name and certificate check use the URL's host name. Redirects are
// not followed (a 3xx is an answer like any other, and not a success), the whole exchange has
// a deadline, and at most MAX_BODY_BYTES of the answer are read.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, resolveWebhookHost, WebhookAddressError } from './webhookAddress.ts';

export const WEBHOOK_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 16 * 1024;

export interface WebhookOutcome {
  /** The answer's status; null when there was none. */
  status: number | null;
  /** Why there was no answer (or what was wrong with it), in words for the deliveries table. */
  error: string | null;
  ok: boolean;
}

export async function postWebhook(target: string, body: string, headers: Record<string, string>): Promise<WebhookOutcome> {
  const url = new URL(target);
  let checked: { address: string; family: 4 | 6 };
  try {
    checked = await resolveWebhookHost(hostOf(url));
  } catch (error) {
    return {
      status: null,
      error: error instanceof WebhookAddressError ? `refused: ${error.message}` : 'could not resolve the host',
      ok: false,
    };
  }
  // The socket asks for the host's address: it gets the one that was checked, and only it.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: checked.address, family: checked.family }]);
    else callback(null, checked.address, checked.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<WebhookOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: WebhookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        // No connection pooling: each attempt resolves and checks afresh.
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Lumen-Webhooks/1',
        },
      },
      (response) => {
        const status = response.statusCode ?? null;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // Enough is known from the status; a receiver that keeps sending is cut off.
          if (read > MAX_BODY_BYTES) response.destroy();
        });
        const done = () =>
          finish({
            status,
            ok: status !== null && status >= 200 && status < 300,
            error: status !== null && status >= 300 && status < 400 ? 'redirects are not followed' : null,
          });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const deadline = setTimeout(() => {
      request.destroy();
      finish({ status: null, error: `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} seconds`, ok: false });
    }, WEBHOOK_TIMEOUT_MS);
    deadline.unref();
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ status: null, error: error.code ? `${error.code}: ${error.message}` : error.message, ok: false });
    });
    request.end(body);
  });
}
