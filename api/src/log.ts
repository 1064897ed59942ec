// Structured JSON logs (pino). Secrets never reach them: request lines carry the
// path without its query string (sign-in tokens travel there), headers are never
// logged, and known secret-bearing fields are redacted as a second line of defence.
import pino from 'pino';

export const log = pino({
  level: process.env.LUMEN_LOG_LEVEL ?? 'info',
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

/** Tests are quiet unless LUMEN_LOG_LEVEL asks otherwise. */
export function quietInTests(env: string): void {
  if (env === 'test' && !process.env.LUMEN_LOG_LEVEL) log.level = 'silent';
}
