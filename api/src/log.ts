// Structured JSON logs (pino). Secrets never reach them: request lines carry the
// path without its query string (sign-in tokens travel there), headers are never
// logged, and known secret-bearing fields are redacted as a second line of defence.
import pino from 'pino';

// Lines are gathered and written together, at the latest FLUSH_EVERY_MS after they were
// logged (on exit pino writes what is left synchronously): a write per line (one per /v1 request) cost as much as /v1's own work in the
// hot-path profile. A process killed with SIGKILL loses at most that much of its log.
const FLUSH_EVERY_MS = 200;
const destination = pino.destination({ dest: 1, sync: false, minLength: 8 * 1024, periodicFlush: FLUSH_EVERY_MS });

// The level is the configuration's (LUMEN_LOG_LEVEL), set by openLumen once it is loaded.
export const log = pino(
  {
    level: 'info',
    base: { service: 'lumen' },
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
