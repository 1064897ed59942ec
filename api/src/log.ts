// Structured JSON logs (pino). Secrets never reach them: request lines carry the
// path without its query string (sign-in tokens travel there), headers are never
// logged, and known secret-bearing fields are redacted as a second line of defence.
import pino from 'pino';

// Lines are gathered and written together, at the latest FLUSH_EVERY_MS after they were
// logged (on exit pino writes what is left synchronously): a write per line (one per /v1 request) cost as much as /v1's own work in the
// hot-path profile. A process killed with SIGKILL loses at most that much of its log.
const FLUSH_EVERY_MS = 200;
const destination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024, periodicFlush: FLUSH_EVERY_MS });

/**
 * pino's error serializer, without the database connection pg-pool attaches to the error of a
 * connection the server closed (`err.client`): kilobytes of driver state per line (connection
 * parameters, type parsers, buffers) that say nothing the message and code do not.
 */
export function serializeError(error: Error): Record<string, unknown> {
  const { client: _client, ...rest } = pino.stdSerializers.err(error) as Record<string, unknown>;
  return rest;
}

// The level is the configuration's (LUMEN_LOG_LEVEL), set by openLumen once it is loaded.
export const log = pino(
  {
    level: 'info',
    base: { service: 'lumen' },
    serializers: { err: serializeError },
    redact: {
      paths: [
        'authorization',
        'cookie',
        'token',
        'secret',
        'apiKey',
        '*.authorization',
        '*.cookie',
        '*.token',
        '*.secret',
        'headers',
        '*.headers',
      ],
      censor: '[redacted]',
    },
  },
  destination,
);
