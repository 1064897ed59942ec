import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiKeyData, CLIENT_ID, clientData, modelAccessData } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi } from '../../test/utils';
import { ClientPage } from './ClientPage';

function pageData(admin: boolean, totalTokens = 1126939) {
  const client = clientData({ admin });
  return {
    client: {
      __typename: 'Client',
      ...client,
      usage: { ...client.usage, totalTokens },
      modelAccess: [
        { __typename: 'ModelAccess', ...modelAccessData() },
        {
          __typename: 'ModelAccess',
          ...modelAccessData({
            status: 'NEEDS_CONSENT',
            model: { id: 'TW9kZWw6Mg==', name: 'gpt-4o', needsConsent: true, consentNotice: 'US.' },
          }),
        },
      ],
    },
  };
}

const keys = {
  node: {
    __typename: 'Client',
    id: CLIENT_ID,
    apiKeys: {
      totalCount: 1,
      edges: [{ cursor: 'cursor-1', node: { __typename: 'ApiKey', ...apiKeyData() } }],
      pageInfo: { hasNextPage: false, endCursor: 'cursor-1' },
    },
  },
};

/** A clientUsage event as the API sends it: what changed, and the client's figures after the change. */
function usageEvent(
  change: string,
  figures: { totalTokens?: number; balance?: string; key?: Partial<ReturnType<typeof apiKeyData>> } = {},
) {
  const client = clientData();
  return {
    clientUsage: {
      change,
      at: new Date().toISOString(),
      client: { id: CLIENT_ID },
      usage: { ...client.usage, totalTokens: figures.totalTokens ?? client.usage.totalTokens },
      coinPool: { ...client.coinPool, balance: figures.balance ?? client.coinPool.balance },
      coinRefill: client.coinRefill,
      apiKey: figures.key ? { ...apiKeyData(), ...figures.key } : null,
      modelAccess: null,
    },
  };
}

const budgetAlerts = {
  __typename: 'BudgetAlerts',
  enabled: true,
  webhookUrl: 'https://hooks.example.org/lumen',
  secretHint: 'whse…abcd',
  thresholds: [{ __typename: 'BudgetAlertThreshold', percent: 50, armed: true, firedAt: null }],
  deliveries: [],
};

function renderPage(admin: boolean) {
  let tokens = 1126939;
  const api = mockApi({
    ClientPage_ClientQuery: (v) => {
      expect(v.id).toBe(CLIENT_ID);
      return { data: pageData(admin, tokens) };
    },
    ApiKeysSection_ApiKeysQuery: () => ({ data: keys }),
    BudgetAlertsSection_BudgetAlertsQuery: () => ({
      data: {
        client: {
          __typename: 'Client',
          id: CLIENT_ID,
          viewerCan: { __typename: 'ClientPermissions', setBudgetAlerts: true },
          budgetAlerts,
        },
      },
    }),
  });
  const view = renderWithApi(<ClientPage />, api, { path: `/clients/${CLIENT_ID}`, route: '/clients/:id' });
  return { api, ...view, setTokens: (n: number) => (tokens = n) };
}

describe('ClientPage', () => {
  it('gives an admin every control', async () => {
    renderPage(true);
    expect(await screen.findByRole('heading', { level: 1, name: 'example-bot' })).toBeTruthy();
    for (const name of ['Deactivate', 'Coin pool settings', '+ Add Manager', 'Remove Maria Manager', '+ New API Key']) {
      expect(screen.getByRole('button', { name })).toBeTruthy();
    }
    expect(await screen.findByRole('button', { name: 'Revoke production' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Needs Consent/ })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: 'Access rule for gpt-4o' })).toBeTruthy();
  });

  it('shows a manager the page without the admin-only controls', async () => {
    renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    // What managers may do…
    expect(screen.getByRole('button', { name: '+ New API Key' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Revoke production' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Needs Consent/ })).toBeTruthy();
    // …and what they may not.
    for (const name of ['Deactivate', 'Activate', 'Coin pool settings', '+ Add Manager', 'Remove Maria Manager']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
    expect(screen.queryByRole('combobox', { name: /Access rule/ })).toBeNull();
    expect(within(screen.getByRole('region', { name: 'Usage' })).getByText('1,126,939')).toBeTruthy();
    expect(screen.getByText('Maria Manager')).toBeTruthy();
  });

  it('says so when the client is missing or not visible', async () => {
    const api = mockApi({ ClientPage_ClientQuery: () => ({ data: { client: null } }) });
    renderWithApi(<ClientPage />, api, { path: '/clients/nope', route: '/clients/:id' });
    expect(await screen.findByRole('heading', { name: 'Client not found' })).toBeTruthy();
  });

  it('shows the API error with a retry', async () => {
    const api = mockApi({ ClientPage_ClientQuery: () => gqlError('Something broke', 'INTERNAL_SERVER_ERROR') });
    renderWithApi(<ClientPage />, api, { path: `/clients/${CLIENT_ID}`, route: '/clients/:id' });
    expect((await screen.findByRole('alert')).textContent).toContain('Something broke');
  });

  it('subscribes to live usage and writes the figures each event carries into the page, fetching nothing again', async () => {
    const { api } = renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    await screen.findByRole('button', { name: 'Revoke production' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    expect(api.callsOf('ClientPage_ClientUsageSubscription')[0].variables).toEqual({ clientId: CLIENT_ID });
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    act(() => {
      // A burst of metered requests: the last event's figures stay.
      for (let i = 1; i <= 5; i++) {
        api.emit(
          'ClientPage_ClientUsageSubscription',
          usageEvent('METERED', { totalTokens: 1999995 + i, balance: `${75 - i}`, key: { requests: 505 + i, totalTokens: 7000 + i } }),
        );
      }
    });
    expect(await screen.findByText('2,000,000')).toBeTruthy();
    const cards = screen.getByRole('region', { name: 'Usage' });
    expect(within(cards).getByText('70.00')).toBeTruthy();
    const keyRow = screen.getByText('production').closest('tr')!;
    expect(within(keyRow).getByText('510')).toBeTruthy();
    expect(within(keyRow).getByText('7,005')).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads);
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads);
  });

  it('fetches the key list again when a key is created elsewhere, and only the key list', async () => {
    const { api } = renderPage(false);
    await screen.findByRole('button', { name: 'Revoke production' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    act(() => api.emit('ClientPage_ClientUsageSubscription', usageEvent('KEY_CREATED', { key: { id: 'QXBpS2V5Ojk=', name: 'new-key' } })));
    await waitFor(() => expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads + 1));
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads);
  });

  it('marks a key as expiring when KEY_EXPIRING says so, fetching nothing again', async () => {
    const { api } = renderPage(false);
    await screen.findByRole('button', { name: 'Revoke production' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    const expiresAt = new Date(Date.now() + 6.5 * 24 * 3600 * 1000).toISOString();
    act(() => api.emit('ClientPage_ClientUsageSubscription', usageEvent('KEY_EXPIRING', { key: { expiresAt } })));
    const row = (await screen.findByText('Expires in 6 days')).closest('tr')!;
    expect(within(row).getByText('production')).toBeTruthy();
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads);
  });

  it('fetches the budget alerts again on BUDGET_LOW, and nothing else', async () => {
    const { api } = renderPage(false);
    await screen.findByRole('button', { name: 'Revoke production' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    // The section has its answer (in the cache) before the event comes.
    await screen.findByRole('heading', { name: 'Budget Alerts' });
    const alertLoads = api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length;
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    act(() => api.emit('ClientPage_ClientUsageSubscription', usageEvent('BUDGET_LOW')));
    await waitFor(() => expect(api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length).toBe(alertLoads + 1));
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads);
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads);
  });

  it('puts the model access row an event carries in place of the old one', async () => {
    const { api } = renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const consented = modelAccessData({
      status: 'CONSENTED',
      usage: { requests: 3, totalTokens: 4321, coinsSpent: '0.01' },
      model: { id: 'TW9kZWw6Mg==', name: 'gpt-4o', needsConsent: true, consentNotice: 'US.' },
    });
    const event = usageEvent('CONSENT_GRANTED');
    act(() => api.emit('ClientPage_ClientUsageSubscription', { clientUsage: { ...event.clientUsage, modelAccess: consented } }));
    const row = (await screen.findByText('✓ Consented')).closest('tr')!;
    expect(within(row).getByRole('rowheader', { name: /gpt-4o/ })).toBeTruthy();
    expect(within(row).getByText('4,321')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Needs Consent/ })).toBeNull();
    expect(within(screen.getByRole('rowheader', { name: /mistral/ }).closest('tr')!).getByText('164,551')).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads);
  });

  it('fetches everything again on RESYNC (the API lost Redis and may have missed events)', async () => {
    const { api, setTokens } = renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    setTokens(3000000);
    act(() => api.emit('ClientPage_ClientUsageSubscription', usageEvent('RESYNC')));
    expect(await screen.findByText('3,000,000', {}, { timeout: 3000 })).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads + 1);
    await waitFor(() => expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads + 1));
  });
});
