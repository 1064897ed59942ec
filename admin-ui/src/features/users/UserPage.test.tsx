import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiKeyData } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ADA_ID, SELF_ID, userData } from './fixtures';
import { UserPage } from './UserPage';

const session = {
  __typename: 'Session',
  id: 'U2Vzc2lvbjox',
  createdAt: '2026-07-04T09:30:00Z',
  lastSeenAt: '2026-07-04T10:00:00Z',
  expiresAt: '2026-08-03T09:30:00Z',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
  current: false,
};
const token = {
  __typename: 'AccessToken',
  id: 'QWNjZXNzVG9rZW46MQ==',
  name: 'backup script',
  hint: 'lat_...x9Qa',
  createdAt: '2026-07-01T10:00:00Z',
  lastUsedAt: null,
  expiresAt: null,
  current: false,
};

function pageData(overrides: Parameters<typeof userData>[0] & { sessions?: unknown[]; accessTokens?: unknown[] } = {}) {
  return {
    node: { ...userData(overrides), sessions: [session], accessTokens: [token], ...overrides },
    viewer: { __typename: 'User', id: SELF_ID },
  };
}

const personalKeys = {
  node: {
    __typename: 'User',
    id: ADA_ID,
    apiKeys: {
      totalCount: 1,
      edges: [{ cursor: 'k1', node: { __typename: 'ApiKey', ...apiKeyData({ name: 'notebook' }) } }],
      pageInfo: { hasNextPage: false, endCursor: 'k1' },
    },
  },
};

function renderPage(handlers: Record<string, Handler> = {}, data = pageData()) {
  const api = mockApi({
    UserPage_UserQuery: (v) => {
      expect(v.id).toBe(ADA_ID);
      return { data };
    },
    ApiKeysSection_ApiKeysQuery: () => ({ data: personalKeys }),
    ...handlers,
  });
  return { api, ...renderWithApi(<UserPage />, api, { path: `/users/${ADA_ID}`, route: '/users/:id' }) };
}

const region = (name: string) => screen.getByRole('region', { name });

describe('UserPage', () => {
  it("shows an admin the user's clients, personal keys and pool, sessions and tokens", async () => {
    renderPage();
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeTruthy();
    // The title is set by an effect, which may run a moment after the heading is drawn (seen on a busy machine).
    await waitFor(() => expect(document.title).toBe('Ada Lovelace · Users · Lumen'));
    expect(screen.getByRole('link', { name: 'ada@example.org' })).toBeTruthy();
    expect(within(region('Clients')).getByRole('link', { name: 'Research Chatbot' }).getAttribute('href')).toBe('/clients/Q2xpZW50OjE=');
    expect(within(region('Personal usage')).getByText('1,234')).toBeTruthy();
    const keys = region('Personal API keys');
    expect(await within(keys).findByRole('button', { name: 'Revoke notebook' })).toBeTruthy();
    // Personal keys are made by their owner on the Profile page, not by an admin here.
    expect(within(keys).queryByRole('button', { name: '+ New API Key' })).toBeNull();
    expect(within(region('Sessions')).getByText(/Firefox/)).toBeTruthy();
    expect(within(region('Admin-API Tokens')).getByText('lat_...x9Qa')).toBeTruthy();
    for (const name of ['Coin pool settings', 'Make admin', 'Deactivate']) expect(screen.getByRole('button', { name })).toBeTruthy();
  });

  it('sets the personal pool with the same dialog as a client, through setUserCoinPool', async () => {
    const { api, user } = renderPage({
      CoinPoolSettings_SetUserCoinPoolMutation: () => ({
        data: { setUserCoinPool: { user: userData({ coinPool: { state: 'UNLIMITED', balance: null, capacity: null } }) } },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Coin pool settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Coin pool settings' });
    expect(dialog.textContent).toContain('The coin budget of Ada Lovelace’s personal API keys.');
    // It opens on the current state.
    expect((within(dialog).getByRole('radio', { name: 'Limited' }) as HTMLInputElement).checked).toBe(true);
    await user.click(within(dialog).getByRole('radio', { name: 'Unlimited' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('CoinPoolSettings_SetUserCoinPoolMutation')[0].variables).toEqual({ input: { state: 'UNLIMITED', userId: ADA_ID } });
    expect(within(region('Personal usage')).getAllByText('Unlimited').length).toBeGreaterThan(0);
  });

  it('revokes a session and an admin-API token after confirmations, and takes them off the lists', async () => {
    const { api, user } = renderPage({
      UserSessionsSection_RevokeSessionMutation: () => ({ data: { revokeSession: { revokedSessionId: session.id } } }),
      UserAccessTokensSection_RevokeAccessTokenMutation: () => ({ data: { revokeAccessToken: { accessToken: token } } }),
    });
    const sessions = await screen.findByRole('region', { name: 'Sessions' });
    await user.click(within(sessions).getByRole('button', { name: /Revoke the session/ }));
    let dialog = screen.getByRole('dialog', { name: 'Revoke this session?' });
    expect(dialog.textContent).toContain('Ada Lovelace is signed out of');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke session' }));
    expect(await within(sessions).findByText('Not signed in anywhere.')).toBeTruthy();
    expect(api.callsOf('UserSessionsSection_RevokeSessionMutation')[0].variables).toEqual({ input: { id: session.id } });

    const tokens = region('Admin-API Tokens');
    await user.click(within(tokens).getByRole('button', { name: 'Revoke backup script' }));
    dialog = screen.getByRole('dialog', { name: 'Revoke “backup script”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect(await within(tokens).findByText('No admin-API tokens.')).toBeTruthy();
    expect(within(tokens).getByText('Admin-API token “backup script” revoked.')).toBeTruthy();
  });

  it('deactivates the user, saying what stops working, and drops the ended sessions', async () => {
    let data = pageData();
    const { api, user } = renderPage(
      {
        UserPage_UserQuery: () => ({ data }),
        UserAdminActions_SetUserActiveMutation: () => {
          data = pageData({ active: false, sessions: [] });
          return { data: { setUserActive: { user: userData({ active: false }) } } };
        },
      },
      data,
    );
    await user.click(await screen.findByRole('button', { name: 'Deactivate' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate Ada Lovelace?' });
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate user' }));
    expect(await screen.findByText(/Ada Lovelace is deactivated/)).toBeTruthy();
    expect(screen.getByText('Deactivated')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Activate' })).toBeTruthy();
    expect(await within(region('Sessions')).findByText('Not signed in anywhere.')).toBeTruthy();
    expect(api.callsOf('UserPage_UserQuery').length).toBe(2);
  });

  it('shows empty states', async () => {
    renderPage({}, pageData({ managedClients: [], sessions: [], accessTokens: [] }));
    expect(await screen.findByText('Ada Lovelace manages no clients. Add them as a manager on a client’s page.')).toBeTruthy();
    expect(screen.getByText('Not signed in anywhere.')).toBeTruthy();
    expect(screen.getByText('No admin-API tokens.')).toBeTruthy();
  });

  it('shows no controls the API does not allow', async () => {
    renderPage({}, pageData({ viewerCan: { setAdmin: false, setActive: false, setCoinPool: false, revokeSessions: false } }));
    await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' });
    for (const name of ['Coin pool settings', 'Make admin', 'Deactivate']) expect(screen.queryByRole('button', { name })).toBeNull();
    expect(within(region('Sessions')).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('says so when the user does not exist', async () => {
    renderPage({}, { node: null, viewer: { __typename: 'User', id: SELF_ID } } as never);
    expect(await screen.findByRole('heading', { name: 'User not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to users' })).toBeTruthy();
  });

  it('shows the API error with a retry', async () => {
    renderPage({ UserPage_UserQuery: () => gqlError('Something broke', 'INTERNAL_SERVER_ERROR') });
    expect((await screen.findByRole('alert')).textContent).toContain('Something broke');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
