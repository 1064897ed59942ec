// Coins are exact decimals (Prisma's Decimal, PostgreSQL numeric), never floats.
import { Prisma } from '../generated/prisma/client.ts';
import { badInput } from './errors.ts';

// Prisma's Decimal rounds to 20 significant digits; ours keeps 100, far more than
// numeric(40,12) can hold, so no arithmetic here ever rounds.
export const Decimal = Prisma.Decimal.clone({ precision: 100 });
export type Decimal = Prisma.Decimal;

/** Brings a value read from the database (or any decimal text) into the exact class. */
export function exact(value: Prisma.Decimal | string | number | bigint): Decimal {
  return new Decimal(typeof value === 'bigint' ? value.toString() : (value as string));
}

/** Coin amounts keep 12 decimal places (the column is numeric(40,12)). */
export const COIN_SCALE = 12;
/** Prices keep 6, so that tokens × price / 1,000,000 is exact at 12. */
export const PRICE_SCALE = 6;
const MAX_INTEGER_DIGITS = 24;

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Parses a decimal string such as "12.5"; refuses floats' exponent forms, NaN and too many places. */
export function parseCoins(value: string, field: string, scale = COIN_SCALE): Decimal {
  const text = String(value).trim();
  if (!DECIMAL_TEXT.test(text)) {
    throw badInput(`${field} must be a decimal number such as "12.5" (got "${String(value).slice(0, 40)}")`, field);
  }
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  if (fraction.length > scale) throw badInput(`${field} may have at most ${scale} decimal places`, field);
  if (whole.replace(/^0+/, '').length > MAX_INTEGER_DIGITS) throw badInput(`${field} is too large`, field);
  return new Decimal(text);
}

export function requireNonNegative(value: Decimal, field: string): Decimal {
  if (value.isNegative()) throw badInput(`${field} cannot be negative`, field);
  return value;
}

/** Cost of a request: input × input price / 1e6 + output × output price / 1e6, exactly. */
export function costOf(inputTokens: number, outputTokens: number, inputPerMillion: Decimal, outputPerMillion: Decimal): Decimal {
  return exact(inputPerMillion).times(inputTokens).plus(exact(outputPerMillion).times(outputTokens)).dividedBy(1_000_000);
}

/** The canonical text of an amount: no exponent, no trailing zeros ("12.5", "0", "0.000001"). */
export function formatCoins(value: Decimal): string {
  const text = value.toFixed();
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
