import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, VIEWER_ID } from '../../test/fixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { OwnerUsageChart } from './OwnerUsageChart';
import { bucketStarts, seriesPoints, type GroupUsage } from './testSeries';
import { bucketLabel } from './usageSeries';
import type { SeriesVariables } from './usageRange';

const GPT = { id: 'TW9kZWw6MQ==', name: 'gpt-4o' };
const ECHO = { id: 'TW9kZWw6Mg==', name: 'echo-small' };
const PROD = { id: 'QXBpS2V5OjE=', name: 'production' };
const CI = { id: 'QXBpS2V5OjI=', name: 'ci-runner' };

// Coins that floats would get wrong: 0.1 + 0.2 + 0.000001 + 1234567.000009.
const BY_MODEL: GroupUsage[] = [
  {
    model: GPT,
    buckets: { 0: { requests: 3, input: 300, output: 30, coins: '0.1' }, 6: { requests: 7, input: 700, output: 70, coins: '0.2' } },
  },
  { model: ECHO, buckets: { 6: { requests: 2, input: 20, output: 2, coins: '0.000001' } } },
  { other: true, buckets: { 5: { requests: 1, input: 5, output: 5, coins: '1234567.000009' } } },
];
const BY_KEY: GroupUsage[] = [
  { apiKey: PROD, buckets: { 6: { requests: 9, input: 720, output: 72, coins: '0.2' } } },
  { apiKey: CI, buckets: { 0: { requests: 3, input: 300, output: 30, coins: '0.1' } } },
];

function renderChart(options: { ownerId?: string; subject?: string } = {}) {
  const api = mockApi({
    OwnerUsageChart_SeriesQuery: (v) => {
      const vars = v as unknown as SeriesVariables & { ownerId: string };
      return {
        data: {
          node: {
            __typename: vars.ownerId === VIEWER_ID ? 'User' : 'Client',
            id: vars.ownerId,
            usage: { requests: 13, totalTokens: 1132, coinsSpent: '1234567.30001' },
            usageSeries: seriesPoints(vars, vars.groupBy === 'API_KEY' ? BY_KEY : BY_MODEL),
          },
        },
      };
    },
  });
  const view = renderWithApi(<OwnerUsageChart ownerId={options.ownerId ?? CLIENT_ID} subject={options.subject ?? 'example-bot'} />, api);
  const lastVariables = () => api.callsOf('OwnerUsageChart_SeriesQuery').at(-1)!.variables as unknown as SeriesVariables;
  return { api, ...view, lastVariables };
}

describe('OwnerUsageChart', () => {
  it('asks for the last 7 days per day by model, in the browser time zone, and says what it shows in its accessible name', async () => {
    const { lastVariables } = renderChart();
    const chart = await screen.findByRole('img', { name: /^Requests per day for example-bot/ });
    const v = lastVariables();
    expect(v).toMatchObject({ bucket: 'DAY', groupBy: 'MODEL', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    const starts = bucketStarts(v);
    expect(starts).toHaveLength(7);
    const label = chart.getAttribute('aria-label');
    expect(label).toBe(
      `Requests per day for example-bot over the last 7 days (${bucketLabel(starts[0], 'DAY')} to ${bucketLabel(starts[6], 'DAY')}): ` +
        `13 requests in total. Busiest day: ${bucketLabel(starts[6], 'DAY')}, 9 requests. By model: gpt-4o 10, echo-small 2, Other 1.`,
    );
  });

  it('hides a group from the plot with its legend button, keeping it in the summary and the table', async () => {
    const { user } = renderChart();
    await screen.findByRole('img');
    const legend = screen.getByRole('list', { name: 'Legend' });
    const gpt = within(legend).getByRole('button', { name: /^gpt-4o/ });
    expect(gpt.getAttribute('aria-pressed')).toBe('true');
    await user.click(gpt);
    expect(gpt.getAttribute('aria-pressed')).toBe('false');
    expect(gpt.getAttribute('title')).toBe('Show gpt-4o in the chart');
    expect(screen.getByRole('img').getAttribute('aria-label')).toContain('By model: gpt-4o 10, echo-small 2, Other 1.');
    await user.click(gpt);
    expect(gpt.getAttribute('aria-pressed')).toBe('true');
    // Another grouping starts with every group shown.
    await user.click(gpt);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Stack by' }), 'API_KEY');
    await screen.findByRole('img', { name: /By key:/ });
    const keyButtons = within(screen.getByRole('list', { name: 'Legend' })).getAllByRole('button');
    expect(keyButtons.length).toBeGreaterThan(1);
    expect(keyButtons.map((b) => b.getAttribute('aria-pressed'))).toEqual(keyButtons.map(() => 'true'));
  });

  it('sums coins exactly in the summary, the legend and the table', async () => {
    const { user } = renderChart();
    await screen.findByRole('img');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'COINS');
    const chart = screen.getByRole('img');
    expect(chart.getAttribute('aria-label')).toContain('1,234,567.30001 coins in total.');
    const legend = screen.getByRole('list', { name: 'Legend' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['gpt-4o 0.30', 'echo-small 0.000001', 'Other 1,234,567.000009']);

    await user.click(screen.getByRole('button', { name: 'View as table' }));
    expect(screen.queryByRole('img')).toBeNull();
    const table = screen.getByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(
      within(rows[0])
        .getAllByRole('columnheader')
        .map((c) => c.textContent),
    ).toEqual(['Day', 'gpt-4o', 'echo-small', 'Other', 'Total coins']);
    // A row per day, oldest first, with every group's coins and the day's total.
    expect(rows).toHaveLength(1 + 7 + 1);
    expect(
      within(rows[1])
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['0.10', '0.00', '0.00', '0.10']);
    expect(
      within(rows[7])
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['0.20', '0.000001', '0.00', '0.200001']);
    const footer = rows[8];
    expect(within(footer).getByRole('rowheader').textContent).toBe('Total by model');
    expect(
      within(footer)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['0.30', '0.000001', '1,234,567.000009', '1,234,567.30001']);

    await user.click(screen.getByRole('button', { name: 'View as chart' }));
    expect(screen.getByRole('img')).toBeTruthy();
  });

  it('shows tokens and requests in the table as well, and stacks by key when asked', async () => {
    const { user, lastVariables } = renderChart();
    await screen.findByRole('img');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Stack by' }), 'API_KEY');
    await screen.findByRole('img', { name: /By key: production 9, ci-runner 3\.$/ });
    expect(lastVariables().groupBy).toBe('API_KEY');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show' }), 'TOKENS');
    await user.click(screen.getByRole('button', { name: 'View as table' }));
    const rows = within(screen.getByRole('table')).getAllByRole('row');
    expect(
      within(rows[0])
        .getAllByRole('columnheader')
        .map((c) => c.textContent),
    ).toEqual(['Day', 'production', 'ci-runner', 'Total tokens']);
    expect(
      within(rows[8])
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['792', '330', '1,122']);
  });

  it('asks for hourly buckets over 24 hours, and daily or weekly over 90 days', async () => {
    const { user, lastVariables } = renderChart();
    await screen.findByRole('img');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Range' }), '24h');
    await screen.findByRole('img', { name: /^Requests per hour for example-bot over the last 24 hours/ });
    expect(lastVariables().bucket).toBe('HOUR');
    expect(bucketStarts(lastVariables())).toHaveLength(24);
    // One bucket size only: no "Per" choice.
    expect(screen.queryByRole('combobox', { name: 'Per' })).toBeNull();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Range' }), '90d');
    await screen.findByRole('img', { name: /^Requests per day .* last 90 days/ });
    expect(bucketStarts(lastVariables())).toHaveLength(90);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Per' }), 'WEEK');
    await screen.findByRole('img', { name: /^Requests per week .* last 90 days/ });
    expect(lastVariables().bucket).toBe('WEEK');
    expect(bucketStarts(lastVariables())).toHaveLength(13);
    expect(new Date(lastVariables().from).getDay()).toBe(1);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Range' }), '30d');
    await screen.findByRole('img', { name: /^Requests per day .* last 30 days/ });
    expect(lastVariables().bucket).toBe('DAY');
  });

  it('links the CSV export of what the chart shows', async () => {
    const { user, lastVariables } = renderChart({ ownerId: VIEWER_ID, subject: 'your personal keys' });
    await screen.findByRole('img', { name: /for your personal keys/ });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Stack by' }), 'API_KEY');
    await waitFor(() => expect(lastVariables().groupBy).toBe('API_KEY'));
    const link = screen.getByRole('link', { name: 'Export CSV' });
    expect(link.hasAttribute('download')).toBe(true);
    const url = new URL(link.getAttribute('href')!, 'http://lumen.test');
    const v = lastVariables();
    expect(url.pathname).toBe('/export/usage.csv');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      owner: VIEWER_ID,
      from: v.from,
      to: v.to,
      bucket: 'DAY',
      groupBy: 'API_KEY',
      timeZone: v.timeZone,
    });
  });

  it('says so when the range has no usage', async () => {
    const api = mockApi({
      OwnerUsageChart_SeriesQuery: (v) => ({
        data: {
          node: {
            __typename: 'Client',
            id: CLIENT_ID,
            usage: { requests: 0, totalTokens: 0, coinsSpent: '0' },
            usageSeries: seriesPoints(v as unknown as SeriesVariables, []),
          },
        },
      }),
    });
    renderWithApi(<OwnerUsageChart ownerId={CLIENT_ID} subject="example-bot" />, api);
    expect((await screen.findByRole('img')).getAttribute('aria-label')).toMatch(/: no usage in this range\.$/);
  });

  it('shows the API error with a retry', async () => {
    const api = mockApi({
      OwnerUsageChart_SeriesQuery: () => ({
        data: null,
        errors: [{ message: 'Too many points: at most 5,000', extensions: { code: 'BAD_USER_INPUT' } }],
      }),
    });
    renderWithApi(<OwnerUsageChart ownerId={CLIENT_ID} subject="example-bot" />, api);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('at most 5,000');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
