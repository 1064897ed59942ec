// Checks on what people type, with messages that say how to fix it.
import { badInput } from './errors.ts';

// Control characters are exactly what this pattern is for.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidirectional embedding, override and isolate controls: they make a name read differently from what it is ("Trojan Source"). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

export function requireName(value: string, field: string, max = 100): string {
  const name = String(value ?? '')
    .normalize('NFC')
    .trim();
  if (name.length === 0) throw badInput(`${field} cannot be empty`, field);
  if ([...name].length > max) throw badInput(`${field} can be at most ${max} characters long`, field);
  if (CONTROL.test(name)) throw badInput(`${field} cannot contain control characters or line breaks`, field);
  if (BIDI_CONTROL.test(name)) {
    throw badInput(
      `${field} cannot contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069), which make text display in a different order than it is stored`,
      field,
    );
  }
  return name;
}

/**
 * Optional free text (a description): line breaks and tabs are kept, other control and
 * bidirectional control characters refused; empty means none (null).
 */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = String(value ?? '')
    .normalize('NFC')
    .trim();
  if (text.length === 0) return null;
  if ([...text].length > max) throw badInput(`${field} can be at most ${max} characters long`, field);
  if (CONTROL.test(text.replace(/[\r\n\t]/g, '')))
    throw badInput(`${field} cannot contain control characters other than line breaks`, field);
  if (BIDI_CONTROL.test(text))
    throw badInput(`${field} cannot contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069)`, field);
  return text;
}

/**
 * A search text as a "contains" filter that matches it literally: LIKE treats % and _
 * as wildcards and \ as its escape character, so each is escaped (PostgreSQL's default ESCAPE is \).
 */
export function literalContains(text: string) {
  return { contains: text.replace(/[\\%_]/g, (c) => `\\${c}`), mode: 'insensitive' as const };
}

/** A name given by someone else (an identity provider): what requireName would refuse is removed, not refused. */
export function displayName(value: string, max = 100): string {
  return [
    ...value
      .normalize('NFC')
      .replace(new RegExp(`${CONTROL.source}|${BIDI_CONTROL.source}`, 'g'), '')
      .trim(),
  ]
    .slice(0, max)
    .join('')
    .trim();
}

export function requireEmail(value: string, field = 'email'): string {
  const email = String(value ?? '')
    .trim()
    .toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email))
    throw badInput(`${field} must be an email address such as ada@example.org`, field);
  return email;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireWholeNumber(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${field} must be a whole number from ${min} to ${max}`, field);
  }
  return value;
}
