import { describe, expect, it } from 'vitest';
import { bucketFor, exportUrl, rangeBounds, rangeById, seriesVariables } from './usageRange';
import { sumCoins } from '../../lib/format';

// A Wednesday afternoon, local time (the test's zone, whatever it is: bounds are local).
const NOW = new Date(2026, 6, 8, 14, 37, 12, 345);

describe('usage ranges', () => {
  it('offers the bucket sizes that fit each range, the default first', () => {
    expect(bucketFor(rangeById('24h'))).toBe('HOUR');
    expect(bucketFor(rangeById('24h'), 'DAY')).toBe('HOUR');
    expect(bucketFor(rangeById('7d'))).toBe('DAY');
    expect(bucketFor(rangeById('7d'), 'HOUR')).toBe('HOUR');
    expect(bucketFor(rangeById('30d'), 'HOUR')).toBe('DAY');
    expect(bucketFor(rangeById('90d'))).toBe('DAY');
    expect(bucketFor(rangeById('90d'), 'WEEK')).toBe('WEEK');
    // Hourly 90 days would be over the API's 5,000 points once grouped.
    expect(bucketFor(rangeById('90d'), 'HOUR')).toBe('DAY');
  });

  it('ends every range with the bucket that is current now', () => {
    const hours = rangeBounds(rangeById('24h'), 'HOUR', NOW);
    expect(hours.buckets).toBe(24);
    expect(hours.to.getTime() - hours.from.getTime()).toBe(24 * 3_600_000);
    expect(hours.to.getMinutes()).toBe(0);
    expect(hours.to.getTime() - NOW.getTime()).toBeGreaterThan(0);
    expect(hours.to.getTime() - NOW.getTime()).toBeLessThanOrEqual(3_600_000);

    const days = rangeBounds(rangeById('7d'), 'DAY', NOW);
    expect(days).toEqual({ from: new Date(2026, 6, 2), to: new Date(2026, 6, 9), buckets: 7 });
    expect(rangeBounds(rangeById('30d'), 'DAY', NOW)).toEqual({ from: new Date(2026, 5, 9), to: new Date(2026, 6, 9), buckets: 30 });

    // ISO weeks: this week began on Monday July 6; 90 days is 13 weeks.
    const weeks = rangeBounds(rangeById('90d'), 'WEEK', NOW);
    expect(weeks).toEqual({ from: new Date(2026, 3, 13), to: new Date(2026, 6, 13), buckets: 13 });
    expect(weeks.from.getDay()).toBe(1);
    // On a Sunday the week is still the one that began six days before.
    expect(rangeBounds(rangeById('90d'), 'WEEK', new Date(2026, 6, 12, 23, 0)).to).toEqual(new Date(2026, 6, 13));
  });

  it('sends the browser time zone and the grouping with the bounds', () => {
    const v = seriesVariables(rangeById('7d'), 'DAY', 'MODEL', NOW, 'Asia/Kathmandu');
    expect(v).toEqual({
      from: new Date(2026, 6, 2).toISOString(),
      to: new Date(2026, 6, 9).toISOString(),
      bucket: 'DAY',
      groupBy: 'MODEL',
      timeZone: 'Asia/Kathmandu',
    });
  });

  it('links the CSV export of the same series', () => {
    const v = {
      from: '2026-07-02T00:00:00.000Z',
      to: '2026-07-09T00:00:00.000Z',
      bucket: 'DAY' as const,
      groupBy: 'API_KEY' as const,
      timeZone: 'Europe/Berlin',
    };
    expect(exportUrl('Q2xpZW50OjE=', v)).toBe(
      '/export/usage.csv?owner=Q2xpZW50OjE%3D&from=2026-07-02T00%3A00%3A00.000Z&to=2026-07-09T00%3A00%3A00.000Z&bucket=DAY&groupBy=API_KEY&timeZone=Europe%2FBerlin',
    );
    expect(exportUrl('VXNlcjox', { ...v, groupBy: null })).not.toContain('groupBy');
  });
});

describe('sumCoins', () => {
  it('adds decimal strings exactly', () => {
    expect(sumCoins(['0.1', '0.2'])).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumCoins(['123456789012345.000001', '0.000009'])).toBe('123456789012345.00001');
    expect(sumCoins(['1.50', '2', '-0.5'])).toBe('3');
    expect(sumCoins(['-1.25', '0.25'])).toBe('-1');
    expect(sumCoins(['0.000001', '-0.000002'])).toBe('-0.000001');
    expect(sumCoins([])).toBe('0');
    expect(() => sumCoins(['1e3'])).toThrow(/Not a decimal/);
  });
});
