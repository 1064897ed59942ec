import { describe, expect, it } from 'vitest';
import { clientPath, coinsLessThan, formatCoins, formatCountdown, formatInt, formatInterval } from './format';

describe('format', () => {
  it('formats coins exactly from decimal strings', () => {
    expect(formatCoins('12.5')).toBe('12.50');
    expect(formatCoins('0')).toBe('0.00');
    // Every significant digit, never rounded (issue 12: 19.999991 was shown as 20.00).
    expect(formatCoins('1234567.891')).toBe('1,234,567.891');
    expect(formatCoins('0.995')).toBe('0.995');
    expect(formatCoins('99999999999999999999.995')).toBe('99,999,999,999,999,999,999.995');
    expect(formatCoins('0.000412')).toBe('0.000412');
    expect(formatCoins('19.999991')).toBe('19.999991');
    expect(formatCoins('20')).toBe('20.00');
    expect(formatCoins('007.100')).toBe('7.10');
    expect(formatCoins('-0.00')).toBe('0.00');
    expect(formatCoins('-3.2')).toBe('-3.20');
    expect(formatCoins('-0.001')).toBe('-0.001');
    expect(formatCoins(null)).toBe('—');
  });

  it('compares coins exactly', () => {
    expect(coinsLessThan('19.999991', '20')).toBe(true);
    expect(coinsLessThan('20', '20.000')).toBe(false);
    expect(coinsLessThan('0.30000000000000000001', '0.3')).toBe(false);
    expect(coinsLessThan('0.3', '0.30000000000000000001')).toBe(true);
    expect(coinsLessThan('-1', '0')).toBe(true);
    expect(coinsLessThan('12345678901234567890.5', '12345678901234567890.25')).toBe(false);
  });

  it('formats counters, including 64-bit strings', () => {
    expect(formatInt(1126939)).toBe('1,126,939');
    expect(formatInt('9007199254740993')).toBe('9,007,199,254,740,993');
  });

  it('words intervals and countdowns', () => {
    expect(formatInterval(3600)).toBe('hour');
    expect(formatInterval(7200)).toBe('2 hours');
    expect(formatInterval(90)).toBe('90 seconds');
    expect(formatCountdown(3599)).toBe('59 min 59 s');
    expect(formatCountdown(3725)).toBe('1 h 02 min');
    expect(formatCountdown(90000)).toBe('1 d 1 h');
    expect(formatCountdown(-5)).toBe('0 s');
  });

  it('builds client paths from relay ids', () => {
    expect(clientPath('Q2xpZW50OjE=')).toBe('/clients/Q2xpZW50OjE=');
    expect(clientPath('a/b+c')).toBe('/clients/a%2Fb%2Bc');
  });
});
