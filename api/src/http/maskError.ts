// Error translation for GraphQL (Yoga's maskError): the errors Lumen throws on purpose
// become coded GraphQL errors (with an HTTP status where one applies); anything else
// is masked as INTERNAL_SERVER_ERROR, for the log to explain.
import { GraphQLError } from 'graphql';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts';
import { DomainError } from '../domain/errors.ts';
import { BadRequestError } from './badRequest.ts';
import { quietInProduction } from './hardening.ts';
import { RateLimitedError } from './rateLimits.ts';
import { CredentialsError, CsrfError } from './viewer.ts';

export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    });
  }
  if (original instanceof CsrfError) {
    return new GraphQLError(original.message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
  if (original instanceof RateLimitedError) {
    return new GraphQLError(original.message, {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: original.retryAfterSeconds },
    });
  }
  if (original instanceof BadRequestError) {
    return new GraphQLError(original.message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
  }
  if (isDatabaseUnavailable(original)) {
    return new GraphQLError('Lumen cannot reach its database right now; retry in a few seconds', {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } } },
    });
  }
  if (original instanceof CredentialsError) {
    return new GraphQLError(original.message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  if (error instanceof GraphQLError && !error.originalError) return quietInProduction(error);
  if (error instanceof GraphQLError && error.originalError instanceof GraphQLError) return error.originalError;
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
