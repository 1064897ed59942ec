import { act, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, type Handler } from '../../test/utils';
import { connectionMonitorOf } from '../../urql';

const viewer = { __typename: 'User', id: 'VXNlcjox', name: 'Ada Admin', email: 'ada@example.org', isAdmin: true };
const LONG = 'Research Chatbot of the Department of Computational Biology and Bioinformatics, Graduate Programme'.padEnd(100, '.');

type Row = { id: string; name: string; active: boolean; requests: number; totalTokens: number; coinsSpent: string; balance: string | null };

const ROWS: Row[] = [
  { id: 'Q2xpZW50OjE=', name: 'alpha-bot', active: true, requests: 5, totalTokens: 900, coinsSpent: '0.5', balance: '10' },
  { id: 'Q2xpZW50OjI=', name: 'beta-bot', active: false, requests: 50, totalTokens: 120000, coinsSpent: '12.25', balance: null },
  { id: 'Q2xpZW50OjM=', name: LONG, active: true, requests: 7, totalTokens: 4000, coinsSpent: '19.999991', balance: '2.5' },
];

function clients(rows: Row[]) {
  return {
    data: {
      clients: {
        totalCount: rows.length,
        edges: rows.map((r) => ({
          node: {
            __typename: 'Client',
            id: r.id,
            name: r.name,
            active: r.active,
            usage: { requests: r.requests, totalTokens: r.totalTokens, coinsSpent: r.coinsSpent },
            coinPool: r.balance === null ? { state: 'UNLIMITED', balance: null } : { state: 'LIMITED', balance: r.balance },
          },
        })),
        pageInfo: { hasNextPage: false, endCursor: null },
      },
    },
  };
}

/** The list page in the app; while `down()`, no request reaches the API (as when it stopped or the network went away). */
function renderList(clientsHandler: Handler = () => clients(ROWS), down = () => false) {
  const handlers: Record<string, Handler> = {
    Layout_ViewerQuery: () => ({ data: { viewer } }),
    AdminsOnly_ViewerCanQuery: () => ({
      data: { viewerCan: { __typename: 'ViewerPermissions', createModel: true, manageUsers: true, manageModels: true } },
    }),
    ClientsPage_ViewerCanQuery: () => ({ data: { viewerCan: { __typename: 'ViewerPermissions', createClient: false } } }),
    ClientsPage_ClientsQuery: clientsHandler,
  };
  const api = mockApi(
    Object.fromEntries(
      Object.entries(handlers).map(([name, handler]) => [
        name,
        (variables, call) => {
          if (down()) throw new TypeError('Failed to fetch');
          return handler(variables, call);
        },
      ]),
    ),
  );
  render(
    <MemoryRouter initialEntries={['/clients']}>
      <App client={api.client} />
    </MemoryRouter>,
  );
  return api;
}

/** The names in the order the table shows them. */
function names() {
  return screen.getAllByRole('rowheader').map((cell) => cell.textContent);
}

/** A clientUsage event as the API sends it: the client's figures after a metered request. */
function metered(id: string, figures: { requests: number; totalTokens: number; coinsSpent: string; balance: string }) {
  return {
    clientUsage: {
      change: 'METERED',
      at: new Date().toISOString(),
      client: { id },
      usage: {
        requests: figures.requests,
        inputTokens: figures.totalTokens - 10,
        outputTokens: 10,
        totalTokens: figures.totalTokens,
        coinsSpent: figures.coinsSpent,
      },
      coinPool: { state: 'LIMITED', balance: figures.balance, capacity: '100', largestRecentReservation: '0.1' },
      coinRefill: null,
      apiKey: null,
      modelAccess: null,
    },
  };
}

describe('ClientsPage', () => {
  it('sorts by any column, like the other tables', async () => {
    renderList();
    await screen.findByRole('link', { name: 'alpha-bot' });
    expect(names()).toEqual(['alpha-bot', 'beta-bot', LONG]);
    const tokens = screen.getByRole('button', { name: /^Tokens/ });
    await act(async () => tokens.click());
    expect(names()).toEqual(['beta-bot', LONG, 'alpha-bot']);
    expect(tokens.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await act(async () => tokens.click());
    expect(names()).toEqual(['alpha-bot', LONG, 'beta-bot']);
    await act(async () => screen.getByRole('button', { name: /^Coin pool/ }).click());
    // Unlimited above any balance.
    expect(names()).toEqual(['beta-bot', 'alpha-bot', LONG]);
    await act(async () => screen.getByRole('button', { name: /^Status/ }).click());
    expect(names().at(-1)).toBe('beta-bot');
  });

  it('cuts a 100-character name to one line, whole in the tooltip and the link’s name', async () => {
    renderList();
    const link = await screen.findByRole('link', { name: LONG });
    const name = within(link).getByText(LONG);
    expect(name.classList.contains('truncate')).toBe(true);
    expect(name.getAttribute('title')).toBe(LONG);
    // Coins exactly, never rounded up.
    expect(within(link.closest('tr')!).getByText('19.999991')).toBeTruthy();
  });

  it('moves each client’s figures live, as the client page does, without fetching the list again', async () => {
    const api = renderList();
    await screen.findByRole('link', { name: 'alpha-bot' });
    await waitFor(() => expect(api.subscribers('ClientsTable_ClientUsageSubscription')).toBe(3));
    expect(api.callsOf('ClientsTable_ClientUsageSubscription').map((c) => c.variables.clientId)).toEqual(ROWS.map((r) => r.id));
    const loads = api.callsOf('ClientsPage_ClientsQuery').length;
    act(() =>
      api.emit(
        'ClientsTable_ClientUsageSubscription',
        metered('Q2xpZW50OjE=', { requests: 6, totalTokens: 1234, coinsSpent: '0.75', balance: '9.75' }),
      ),
    );
    const row = screen.getByRole('link', { name: 'alpha-bot' }).closest('tr')!;
    expect(await within(row).findByText('1,234')).toBeTruthy();
    expect(within(row).getByText('6')).toBeTruthy();
    expect(within(row).getByText('0.75')).toBeTruthy();
    expect(within(row).getByText('9.75')).toBeTruthy();
    expect(api.callsOf('ClientsPage_ClientsQuery').length).toBe(loads);
  });

  it('says when Lumen cannot be reached, marks the list as stale, and retries', async () => {
    let down = false;
    const api = renderList(undefined, () => down);
    await screen.findByRole('link', { name: 'alpha-bot' });
    expect(screen.queryByRole('alert')).toBeNull();
    down = true;
    act(() => connectionMonitorOf(api.client)!.retry());
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toMatch(/^Lumen cannot be reached\. .*The figures shown are from \d/);
    // The last known list stays, marked as such.
    expect(screen.getByRole('link', { name: 'alpha-bot' })).toBeTruthy();
    expect(screen.getByText(/^Not live: last known figures/)).toBeTruthy();
    expect(screen.getByRole('table').closest('.table-wrap')!.hasAttribute('data-stale')).toBe(true);

    down = false;
    const loads = api.callsOf('ClientsPage_ClientsQuery').length;
    await act(async () => within(banner).getByRole('button', { name: 'Retry' }).click());
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(api.callsOf('ClientsPage_ClientsQuery').length).toBeGreaterThan(loads);
    expect(screen.queryByText(/Not live/)).toBeNull();
  });

  it('says when live updates stop, and fetches the list again once they are back', async () => {
    const api = renderList();
    await screen.findByRole('link', { name: 'alpha-bot' });
    const monitor = connectionMonitorOf(api.client)!;
    act(() => monitor.liveDropped());
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain('Live updates stopped: the connection to Lumen dropped.');
    expect(within(banner).getByRole('button', { name: 'Retry' })).toBeTruthy();
    const loads = api.callsOf('ClientsPage_ClientsQuery').length;
    // Back after a drop: events may have been missed, so the page fetches again.
    act(() => monitor.liveConnected(true));
    await waitFor(() => expect(api.callsOf('ClientsPage_ClientsQuery').length).toBe(loads + 1));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
