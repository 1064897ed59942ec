// Yoga's own messages, into the structured log.
import { GraphQLError } from 'graphql';
import { log } from '../log.ts';

export const yogaLogger = {
  debug: (...args: unknown[]) => log.debug({ yoga: args.map(String) }, 'yoga'),
  info: (...args: unknown[]) => log.info({ yoga: args.map(String) }, 'yoga'),
  warn: (...args: unknown[]) => log.warn({ yoga: args.map(String) }, 'yoga'),
  error: (...args: unknown[]) => {
    const err = args.find((a) => a instanceof Error);
    // A refused query (a limit, a syntax error) is the caller's problem, not the server's.
    if (err instanceof GraphQLError && !err.originalError) return log.warn({ refused: err.message }, 'graphql request refused');
    log.error({ err, yoga: args.filter((a) => !(a instanceof Error)).map(String) }, 'yoga error');
  },
};
