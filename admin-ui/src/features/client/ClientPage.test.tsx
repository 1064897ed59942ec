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
  client: {
    __typename: 'Client',
    id: CLIENT_ID,
    apiKeys: {
      totalCount: 1,
      edges: [{ node: { __typename: 'ApiKey', ...apiKeyData() } }],
      pageInfo: { hasNextPage: false },
    },
  },
};

function renderPage(admin: boolean) {
  let tokens = 1126939;
  const api = mockApi({
    ClientPage_ClientQuery: (v) => {
      expect(v.id).toBe(CLIENT_ID);
      return { data: pageData(admin, tokens) };
    },
    ApiKeysSection_ClientApiKeysQuery: () => ({ data: keys }),
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

  it('subscribes to live usage and refreshes cards and keys when it moves', async () => {
    const { api, setTokens } = renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    expect(api.callsOf('ClientPage_ClientUsageSubscription')[0].variables).toEqual({ clientId: CLIENT_ID });
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ClientApiKeysQuery').length;
    setTokens(2000000);
    act(() => {
      // A burst of events: one refresh.
      for (let i = 0; i < 5; i++)
        api.emit('ClientPage_ClientUsageSubscription', { clientUsage: { change: 'METERED', at: new Date().toISOString() } });
    });
    expect(await screen.findByText('2,000,000', {}, { timeout: 3000 })).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads + 1);
    await waitFor(() => expect(api.callsOf('ApiKeysSection_ClientApiKeysQuery').length).toBe(keyLoads + 1));
  });

  it('fetches everything again on RESYNC (the API lost Redis and may have missed events)', async () => {
    const { api, setTokens } = renderPage(false);
    await screen.findByRole('heading', { level: 1, name: 'example-bot' });
    await waitFor(() => expect(api.subscribers('ClientPage_ClientUsageSubscription')).toBe(1));
    const pageLoads = api.callsOf('ClientPage_ClientQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ClientApiKeysQuery').length;
    setTokens(3000000);
    act(() => api.emit('ClientPage_ClientUsageSubscription', { clientUsage: { change: 'RESYNC', at: new Date().toISOString() } }));
    expect(await screen.findByText('3,000,000', {}, { timeout: 3000 })).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery').length).toBe(pageLoads + 1);
    await waitFor(() => expect(api.callsOf('ApiKeysSection_ClientApiKeysQuery').length).toBe(keyLoads + 1));
  });
});
