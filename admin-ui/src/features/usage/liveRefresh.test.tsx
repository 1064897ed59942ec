import { act, renderHook, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, clientData, modelAccessData } from '../../test/fixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { ClientPage } from '../client/ClientPage';
import { seriesPoints, type GroupUsage } from './testSeries';
import type { SeriesVariables } from './usageRange';
import { useThrottledRefresh } from './useUsageControls';

const GPT = { id: 'TW9kZWw6MQ==', name: 'gpt-4o' };

/** The client page with its chart; `state` is the usage the API has counted so far. */
function renderClientPage() {
  const state = { requests: 3, coins: '0.1' };
  const client = clientData();
  const series = (): GroupUsage[] => [
    // All of it in the current (last) bucket.
    { model: GPT, buckets: { 6: { requests: state.requests, input: 10 * state.requests, output: 0, coins: state.coins } } },
  ];
  const api = mockApi({
    ClientPage_ClientQuery: () => ({
      data: { client: { __typename: 'Client', ...client, modelAccess: [{ __typename: 'ModelAccess', ...modelAccessData() }] } },
    }),
    ApiKeysSection_ApiKeysQuery: () => ({
      data: {
        apiKeyMaxDays: null,
        node: {
          __typename: 'Client',
          id: CLIENT_ID,
          apiKeys: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
        },
      },
    }),
    OwnerUsageChart_SeriesQuery: (v) => ({
      data: {
        node: {
          __typename: 'Client',
          id: CLIENT_ID,
          usage: { requests: state.requests, totalTokens: 10 * state.requests, coinsSpent: state.coins },
          usageSeries: seriesPoints(v as unknown as SeriesVariables, series()),
        },
      },
    }),
  });
  renderWithApi(<ClientPage />, api, { path: `/clients/${CLIENT_ID}`, route: '/clients/:id' });
  /** The API meters a request: its counters move, and the page's subscription hears of it. */
  const meter = (coins: string) => {
    state.requests += 1;
    state.coins = coins;
    api.emit('ClientPage_ClientUsageSubscription', {
      clientUsage: {
        change: 'METERED',
        at: new Date().toISOString(),
        client: { id: CLIENT_ID },
        usage: { ...client.usage, requests: state.requests, totalTokens: 10 * state.requests, coinsSpent: state.coins },
        coinPool: client.coinPool,
        coinRefill: client.coinRefill,
        apiKey: null,
        modelAccess: null,
      },
    });
  };
  return { api, meter };
}

describe('usage chart, live', () => {
  it('fetches the series again when the page hears of metered requests, once for a burst', async () => {
    const { api, meter } = renderClientPage();
    await screen.findByRole('img', { name: /3 requests in total/ });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const before = api.callsOf('OwnerUsageChart_SeriesQuery').length;
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    act(() => {
      for (let i = 1; i <= 5; i++) meter(`0.1${i}`);
    });
    // The first event fetches at once (the next ones within LIVE_REFRESH_MS wait for one more fetch at its end).
    await screen.findByRole('img', { name: /8 requests in total/ });
    expect(api.callsOf('OwnerUsageChart_SeriesQuery').length).toBe(before + 1);
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads);
    // The same variables: the range still ends with the current bucket.
    const calls = api.callsOf('OwnerUsageChart_SeriesQuery');
    expect(calls.at(-1)!.variables).toEqual(calls.at(-2)!.variables);
  });
});

describe('useThrottledRefresh', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refreshes on a change at once, then at most once per gap, and not for the first value', () => {
    vi.useFakeTimers();
    const refresh = vi.fn();
    const { rerender, unmount } = renderHook(({ s }: { s: string | null }) => useThrottledRefresh(s, refresh, 5000), {
      initialProps: { s: null as string | null },
    });
    rerender({ s: '1' });
    expect(refresh).toHaveBeenCalledTimes(0);
    rerender({ s: '2' });
    expect(refresh).toHaveBeenCalledTimes(1);
    rerender({ s: '3' });
    rerender({ s: '4' });
    expect(refresh).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(4999);
    expect(refresh).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(2);
    // Nothing new: nothing to fetch.
    vi.advanceTimersByTime(60_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    rerender({ s: '5' });
    expect(refresh).toHaveBeenCalledTimes(3);
    // A change waiting for its turn is dropped with the chart.
    rerender({ s: '6' });
    unmount();
    vi.advanceTimersByTime(10_000);
    expect(refresh).toHaveBeenCalledTimes(3);
  });
});
