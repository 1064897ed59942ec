// Errors the domain raises on purpose. The GraphQL layer turns `code` into
// extensions.code, /v1 into an HTTP status, the CLI into an exit message.
export type DomainErrorCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'NOT_FOUND';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, field?: string) => new DomainError('BAD_USER_INPUT', message, field);
