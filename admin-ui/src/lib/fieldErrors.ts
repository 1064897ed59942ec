import type { CombinedError } from 'urql';
import { errorMessage } from './errors';

/** The API's messages may start with the input's name in lower case ("name cannot be empty"); shown as a sentence. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * The API's BAD_USER_INPUT errors name the input field they are about (extensions.field);
 * those for a field the form shows go beside it, the rest above the buttons.
 */
export function fieldErrors<F extends string>(
  error: CombinedError | undefined | null,
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; other: string | null } {
  const byField: Partial<Record<F, string>> = {};
  const other: string[] = [];
  if (!error) return { byField, other: null };
  for (const problem of error.graphQLErrors) {
    const field = problem.extensions?.field;
    if (problem.extensions?.code === 'BAD_USER_INPUT' && typeof field === 'string' && (fields as readonly string[]).includes(field)) {
      byField[field as F] ??= sentence(problem.message);
    } else {
      other.push(problem.message);
    }
  }
  if (error.graphQLErrors.length === 0) other.push(errorMessage(error) ?? 'Something went wrong.');
  return { byField, other: other.length ? other.join(' ') : null };
}

/** A create dialog's failed save: the API's refusal of the name goes beside the Name field, anything else above the buttons. */
export function nameSaveFailure(
  error: CombinedError | undefined | null,
  fallback: string,
): { ok: false; error: string | null; nameError?: string } {
  const { byField, other } = fieldErrors(error, ['name'] as const);
  return { ok: false, error: other ?? (byField.name ? null : fallback), nameError: byField.name };
}
