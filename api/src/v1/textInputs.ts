// The text a legacy completion's `prompt` or an embedding's `input` carries, in any of
// OpenAI's four shapes: a string, an array of strings, a token array (numbers), or an
// array of token arrays. Each comes back as a list of items, one per string or token array.
import { badRequest } from './errors.ts';

export type TextInput = string | number[];

const isToken = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The items of `value`, checked: at least one, at most `max`, all of one shape; `allowEmpty`
 * says whether an empty string or token array may be among them.
 */
export function textInputs(value: unknown, field: string, max: number, allowEmpty: boolean): TextInput[] {
  const shapes = `a string, an array of strings, an array of token ids, or an array of token-id arrays`;
  if (value === undefined || value === null) throw badRequest(`"${field}" is required: ${shapes}`, field);
  const emptyItem = (where: string) =>
    badRequest(`${where} is empty; every ${field} must have some text (or tokens)`, field, 'empty_input');
  if (typeof value === 'string') {
    if (!allowEmpty && value === '') throw emptyItem(`"${field}"`);
    return [value];
  }
  if (!Array.isArray(value)) throw badRequest(`"${field}" must be ${shapes}`, field);
  if (value.length === 0) throw badRequest(`"${field}" is an empty array; send at least one item`, field, 'empty_input');
  // A flat array of numbers is one token array.
  if (value.every((item) => typeof item === 'number')) {
    const bad = value.findIndex((item) => !isToken(item));
    if (bad >= 0) throw badRequest(`${field}[${bad}] is not a token id (a whole number from 0)`, field);
    return [value as number[]];
  }
  if (value.length > max)
    throw badRequest(`"${field}" has ${value.length} items; at most ${max} are allowed in one request`, field, 'too_many_inputs');
  const strings = value.every((item) => typeof item === 'string');
  const tokenArrays = value.every((item) => Array.isArray(item));
  if (!strings && !tokenArrays) throw badRequest(`"${field}" must be ${shapes}, not a mix of them`, field);
  value.forEach((item: string | unknown[], i) => {
    if (!allowEmpty && item.length === 0) throw emptyItem(`${field}[${i}]`);
    if (Array.isArray(item)) {
      const bad = item.findIndex((token) => !isToken(token));
      if (bad >= 0) throw badRequest(`${field}[${i}][${bad}] is not a token id (a whole number from 0)`, field);
    }
  });
  return value as TextInput[];
}

/**
 * An upper bound for the tokens of the items: byte-level BPE tokenizers emit at most one token
 * per UTF-8 byte, plus 2 per string for the start and end tokens some models add; a token array
 * is exactly as many tokens as it is long.
 */
export function textInputTokenBound(items: TextInput[]): number {
  return items.reduce((sum, item) => sum + (typeof item === 'string' ? Buffer.byteLength(item, 'utf8') + 2 : item.length), 0);
}
