import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MODEL_ID, viewerCan } from '../../test/modelFixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { ModelUsageChart } from './ModelUsageChart';
import { UsagePage } from './UsagePage';
import { bucketStarts, seriesPoints } from './testSeries';
import { bucketLabel } from './usageSeries';
import type { SeriesVariables } from './usageRange';

const BOT = { id: 'Q2xpZW50OjE=', name: 'Research Chatbot' };
const NOTEBOOKS = { id: 'Q2xpZW50OjI=', name: 'Notebook Service' };
const GPT = { id: 'TW9kZWw6MQ==', name: 'gpt-4o' };
const ECHO = { id: 'TW9kZWw6Mg==', name: 'echo-small' };

function renderPage(admin: boolean) {
  const api = mockApi({
    AdminsOnly_ViewerCanQuery: () => viewerCan(admin),
    UsagePage_InstanceUsageQuery: (v) => ({
      data: {
        instanceUsage: {
          points: seriesPoints(v as unknown as SeriesVariables, [
            {
              model: GPT,
              buckets: {
                2: { requests: 40, input: 4000, output: 400, coins: '1.000001' },
                6: { requests: 2, input: 20, output: 2, coins: '0.2' },
              },
            },
            {
              model: ECHO,
              buckets: { 2: { requests: 5, input: 50, output: 5, coins: '0' }, 3: { requests: 1, input: 10, output: 1, coins: '0.1' } },
            },
          ]),
          topClients: [
            { client: BOT, usage: { requests: 45, totalTokens: 4455, coinsSpent: '1.200001' } },
            { client: NOTEBOOKS, usage: { requests: 3, totalTokens: 33, coinsSpent: '0.1' } },
          ],
          topModels: [
            { model: GPT, usage: { requests: 42, totalTokens: 4422, coinsSpent: '1.200001' } },
            { model: ECHO, usage: { requests: 6, totalTokens: 66, coinsSpent: '0.1' } },
          ],
        },
      },
    }),
  });
  return { api, ...renderWithApi(<UsagePage />, api, { path: '/usage', route: '/usage' }) };
}

describe('UsagePage', () => {
  it("shows an admin the instance's totals for the range, its usage over time, and the top clients and models", async () => {
    const { api } = renderPage(true);
    expect(await screen.findByRole('heading', { level: 1, name: 'Usage' })).toBeTruthy();
    // The heading can be on screen a moment before urql has sent the page's query (under load, it was).
    await waitFor(() => expect(api.callsOf('UsagePage_InstanceUsageQuery')).not.toHaveLength(0));
    const v = api.callsOf('UsagePage_InstanceUsageQuery')[0].variables as unknown as SeriesVariables;
    expect(v).toMatchObject({ bucket: 'DAY', groupBy: 'MODEL' });
    const starts = bucketStarts(v);

    const totals = await screen.findByRole('region', { name: 'Totals for the last 7 days' });
    const card = (name: string) => within(totals).getByRole('group', { name });
    expect(within(card('Requests')).getByText('48')).toBeTruthy();
    expect(within(card('Tokens')).getByText('4,488')).toBeTruthy();
    expect(within(card('Tokens')).getByText('4,080 in + 408 out')).toBeTruthy();
    expect(within(card('Coins Spent')).getByText('1.300001')).toBeTruthy();
    expect(within(card('Busiest day')).getByText(bucketLabel(starts[2], 'DAY'))).toBeTruthy();
    expect(within(card('Busiest day')).getByText('45 requests')).toBeTruthy();

    expect(
      screen.getByRole('img', { name: /^Requests per day for this instance over the last 7 days .*: 48 requests in total\./ }),
    ).toBeTruthy();
    // No owner to export for: the CSV export is per client or user.
    expect(screen.queryByRole('link', { name: 'Export CSV' })).toBeNull();

    const clients = screen.getByRole('table', { name: 'Top clients, last 7 days, largest spend first' });
    const clientRows = within(clients).getAllByRole('row').slice(1);
    // The share bar is drawing only (aria-hidden): each row reads as its figures.
    expect(
      clientRows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['45', '4,455', '1.200001'],
      ['3', '33', '0.10'],
    ]);
    expect(within(clientRows[0]).getByRole('link', { name: 'Research Chatbot' }).getAttribute('href')).toBe('/clients/Q2xpZW50OjE=');
    const models = screen.getByRole('table', { name: 'Top models, last 7 days, largest spend first' });
    expect(within(models).getByRole('link', { name: 'echo-small' }).getAttribute('href')).toBe('/models/TW9kZWw6Mg==');
  });

  it('stacks by client when asked, and moves the whole page to the new range', async () => {
    const { api, user } = renderPage(true);
    await screen.findByRole('img');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Stack by' }), 'CLIENT');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Range' }), '30d');
    expect(await screen.findByRole('region', { name: 'Totals for the last 30 days' })).toBeTruthy();
    expect(api.callsOf('UsagePage_InstanceUsageQuery').at(-1)!.variables).toMatchObject({ bucket: 'DAY', groupBy: 'CLIENT' });
  });

  it('is for admins only', async () => {
    const { api } = renderPage(false);
    expect(await screen.findByRole('heading', { name: 'Admins only' })).toBeTruthy();
    expect(api.callsOf('UsagePage_InstanceUsageQuery')).toHaveLength(0);
  });
});

describe('ModelUsageChart', () => {
  it("asks for the model's usage per client, and names personal keys' usage", async () => {
    const api = mockApi({
      ModelUsageChart_SeriesQuery: (v) => ({
        data: {
          node: {
            __typename: 'Model',
            id: MODEL_ID,
            usageSeries: seriesPoints(v as unknown as SeriesVariables, [
              { client: BOT, buckets: { 6: { requests: 4, input: 40, output: 4, coins: '0.4' } } },
              { buckets: { 5: { requests: 1, input: 10, output: 1, coins: '0.01' } } },
            ]),
          },
        },
      }),
    });
    renderWithApi(<ModelUsageChart modelId={MODEL_ID} modelName="gpt-4o" />, api);
    const chart = await screen.findByRole('img', { name: /^Requests per day for gpt-4o/ });
    expect(chart.getAttribute('aria-label')).toMatch(/By client: Research Chatbot 4, Personal keys 1\.$/);
    expect(api.callsOf('ModelUsageChart_SeriesQuery')[0].variables).toMatchObject({ modelId: MODEL_ID, groupBy: 'CLIENT', bucket: 'DAY' });
  });
});
