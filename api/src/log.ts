// Structured JSON logs (pino). Secrets never reach them: request lines carry the
// path without its query string (sign-in tokens travel there), headers are never
// logged, and known secret-bearing fields are redacted as a second line of defence.
import pino from 'pino';

// The level is the configuration's (LUMEN_LOG_LEVEL), set by openLumen once it is loaded.
export const log = pino({
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
});
