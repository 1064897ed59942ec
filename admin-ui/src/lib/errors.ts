import type { CombinedError } from 'urql';

/** The message a person should see for a failed request: the API's own words when it gave some. */
export function errorMessage(error: CombinedError | undefined | null): string | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first?.message) return first.message;
  if (error.networkError) {
    return `Could not reach the Lumen API (${error.networkError.message}). Check your connection and try again.`;
  }
  return error.message.replace(/^\[(GraphQL|Network)\]\s*/, '');
}

export function isUnauthenticated(error: CombinedError | undefined | null): boolean {
  if (!error) return false;
  if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return true;
  const status = (error.response as { status?: number } | undefined)?.status;
  return status === 401;
}
