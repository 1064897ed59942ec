// Coin sums for display. The API sends coins as exact decimal strings; a chart adds them up
// (a bucket's total, a group's total over the range), and floats would show 0.1 + 0.2 as
// 0.30000000000000004 or drop the last digits of large sums. So the sums are done on integers
// (BigInt) scaled to the longest fraction. Floats are used only for pixel positions.

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The exact sum of decimal strings ("0.1", "2.000045", "-3"), as a decimal string without trailing zeros. */
export function sumCoins(values: Iterable<string>): string {
  const parts: { negative: boolean; int: string; frac: string }[] = [];
  let scale = 0;
  for (const value of values) {
    const m = DECIMAL.exec(value.trim());
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`Not a decimal amount of coins: ${JSON.stringify(value)}`);
    const frac = m[3] ?? '';
    scale = Math.max(scale, frac.length);
    parts.push({ negative: m[1] === '-', int: m[2] || '0', frac });
  }
  let total = 0n;
  for (const p of parts) {
    const scaled = BigInt(p.int + p.frac.padEnd(scale, '0'));
    total += p.negative ? -scaled : scaled;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Whether a decimal string is zero ("0", "0.000"), without going through a float. */
export function isZeroCoins(value: string): boolean {
  return /^[+-]?0*(\.0*)?$/.test(value.trim());
}
