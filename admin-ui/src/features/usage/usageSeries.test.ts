import { describe, expect, it } from 'vitest';
import { buildSeries, tooltipRows, withoutGroups } from './usageSeries';
import { seriesPoints } from './testSeries';

const V = { from: '2026-07-08T10:00:00.000Z', to: '2026-07-08T13:00:00.000Z', bucket: 'HOUR' as const };
const GPT = { id: 'm1', name: 'gpt-4o' };
const ECHO = { id: 'm2', name: 'echo-small' };

describe('usage series', () => {
  const model = buildSeries(
    seriesPoints(V, [
      { model: ECHO, buckets: { 1: { requests: 1, input: 1, output: 1, coins: '0.000000001' } } },
      {
        model: GPT,
        buckets: { 1: { requests: 5, input: 50, output: 5, coins: '0.1' }, 2: { requests: 1, input: 1, output: 0, coins: '0.2' } },
      },
      { other: true, buckets: { 1: { requests: 9, input: 9, output: 9, coins: '0.3' } } },
    ]),
    'MODEL',
  );

  it('orders groups largest first with Other last, every bucket present', () => {
    expect(model.starts).toEqual(['2026-07-08T10:00:00.000Z', '2026-07-08T11:00:00.000Z', '2026-07-08T12:00:00.000Z']);
    expect(model.groups.map((g) => g.label)).toEqual(['gpt-4o', 'echo-small', 'Other']);
    expect(model.groups[2].color).toBe('#a3abb5');
    expect(model.bucketTotals.map((t) => t.coinsSpent)).toEqual(['0', '0.400000001', '0.2']);
    expect(model.total).toEqual({ requests: 16, inputTokens: 61, outputTokens: 15, totalTokens: 76, coinsSpent: '0.600000001' });
  });

  it("lists a bucket's groups with usage in the tooltip, exactly, largest first", () => {
    expect(tooltipRows(model, 1, 'COINS').map(({ label, value }) => [label, value])).toEqual([
      ['Other', '0.30'],
      ['gpt-4o', '0.10'],
      ['echo-small', '0.000000001'],
    ]);
    expect(tooltipRows(model, 0, 'REQUESTS')).toEqual([]);
    expect(tooltipRows(model, 2, 'TOKENS').map(({ label, value }) => [label, value])).toEqual([['gpt-4o', '1']]);
  });

  it('hides groups from a model with their colours kept and the totals summed again exactly', () => {
    const gpt = model.groups[0].key;
    const other = model.groups[2].key;
    const drawn = withoutGroups(model, new Set([gpt, other]));
    expect(drawn.groups.map((g) => [g.label, g.color])).toEqual([['echo-small', model.groups[1].color]]);
    expect(drawn.bucketTotals.map((t) => t.coinsSpent)).toEqual(['0', '0.000000001', '0']);
    expect(drawn.total).toEqual({ requests: 1, inputTokens: 1, outputTokens: 1, totalTokens: 2, coinsSpent: '0.000000001' });
    expect(tooltipRows(drawn, 1, 'REQUESTS').map(({ label }) => label)).toEqual(['echo-small']);
    expect(withoutGroups(model, new Set())).toBe(model);
  });
});
