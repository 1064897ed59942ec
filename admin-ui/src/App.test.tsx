import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { gqlError, mockApi } from './test/utils';

const viewer = { __typename: 'User', id: 'VXNlcjox', name: 'Ada Admin', email: 'ada@example.org', isAdmin: true };

const canCreateClient = (createClient: boolean) => () => ({
  data: { viewerCan: { __typename: 'ViewerPermissions', createClient } },
});

function renderApp(path: string, handlers: Parameters<typeof mockApi>[0]) {
  const api = mockApi(handlers);
  render(
    <MemoryRouter initialEntries={[path]}>
      <App client={api.client} />
    </MemoryRouter>,
  );
  return api;
}

describe('App', () => {
  it('sends a signed-out visitor to the sign-in page', async () => {
    const api = renderApp('/clients/abc', {
      Layout_ViewerQuery: () => gqlError('Sign in first.', 'UNAUTHENTICATED'),
      SignInPage_SignInOptionsQuery: () => ({ data: { signInOptions: { __typename: 'SignInOptions', oidc: false, oidcLabel: null } } }),
    });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('npm run lumen -- login-link --email you@example.org')).toBeTruthy();
    // The page to return to after signing in is remembered.
    await waitFor(() => expect(sessionStorage.getItem('lumen.afterSignIn')).toBe('/clients/abc'));
    // No OIDC button: this instance has no OIDC configured.
    await waitFor(() => expect(api.callsOf('SignInPage_SignInOptionsQuery')).toHaveLength(1));
    expect(screen.queryByRole('link', { name: /institution/ })).toBeNull();
  });

  it('offers OIDC sign-in when the instance has it configured', async () => {
    renderApp('/signin', {
      SignInPage_SignInOptionsQuery: () => ({
        data: { signInOptions: { __typename: 'SignInOptions', oidc: true, oidcLabel: 'Sign in with Illinois NetID' } },
      }),
    });
    const link = await screen.findByRole('link', { name: 'Sign in with Illinois NetID' });
    expect(link.getAttribute('href')).toBe('/auth/oidc/start');
    expect(screen.getByText(/You can also sign in with a/)).toBeTruthy();
  });

  it('shows the viewer in the header and lists clients', async () => {
    const api = renderApp('/', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ClientsPage_ViewerCanQuery: canCreateClient(true),
      ClientsPage_ClientsQuery: () => ({
        data: {
          clients: {
            totalCount: 1,
            edges: [
              {
                node: {
                  __typename: 'Client',
                  id: 'Q2xpZW50OjE=',
                  name: 'example-bot',
                  active: false,
                  usage: { requests: 5, totalTokens: 1234, coinsSpent: '0.5' },
                  coinPool: { state: 'UNLIMITED', balance: null },
                },
              },
            ],
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      }),
    });
    const header = await screen.findByRole('banner');
    expect(await within(header).findByText('Ada Admin')).toBeTruthy();
    expect(within(header).getByRole('button', { name: 'Sign out' })).toBeTruthy();
    const link = await screen.findByRole('link', { name: 'example-bot' });
    expect(link.getAttribute('href')).toBe('/clients/Q2xpZW50OjE=');
    const row = link.closest('tr')!;
    expect(within(row).getByText('Inactive')).toBeTruthy();
    expect(within(row).getByText('Unlimited')).toBeTruthy();
    expect(await screen.findByLabelText('New client')).toBeTruthy();
    expect(api.callsOf('ClientsPage_ClientsQuery')[0].variables).toEqual({ search: null, first: 25, after: null });
  });

  it('hides the New client form without viewerCan.createClient and explains an empty list', async () => {
    const api = renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer: { ...viewer, isAdmin: false } } }),
      ClientsPage_ViewerCanQuery: canCreateClient(false),
      ClientsPage_ClientsQuery: () => ({
        data: { clients: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
      }),
    });
    expect(await screen.findByText(/You do not manage any clients yet/)).toBeTruthy();
    await waitFor(() => expect(api.callsOf('ClientsPage_ViewerCanQuery')).toHaveLength(1));
    expect(screen.queryByLabelText('New client')).toBeNull();
  });

  it('decides the New client form from viewerCan, not from the role', async () => {
    // An admin flag alone shows nothing; the permission does.
    renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer: { ...viewer, isAdmin: false } } }),
      ClientsPage_ViewerCanQuery: canCreateClient(true),
      ClientsPage_ClientsQuery: () => ({
        data: { clients: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
      }),
    });
    expect(await screen.findByLabelText('New client')).toBeTruthy();
    expect(await screen.findByText('No clients yet. Create the first one above.')).toBeTruthy();
  });

  it('pages through clients and searches on the server', async () => {
    const user = userEvent.setup();
    const api = renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ClientsPage_ViewerCanQuery: canCreateClient(true),
      ClientsPage_ClientsQuery: (v) => {
        const page = v.after ? 2 : 1;
        return {
          data: {
            clients: {
              totalCount: 30,
              edges: [
                {
                  node: {
                    __typename: 'Client',
                    id: `c${page}`,
                    name: `client-on-page-${page}`,
                    active: true,
                    usage: { requests: 0, totalTokens: 0, coinsSpent: '0' },
                    coinPool: { state: 'NOT_CONFIGURED', balance: null },
                  },
                },
              ],
              pageInfo: { hasNextPage: page === 1, endCursor: page === 1 ? 'cursor-1' : 'cursor-2' },
            },
          },
        };
      },
    });
    await screen.findByText('client-on-page-1');
    await user.click(screen.getByRole('button', { name: 'Next →' }));
    expect(await screen.findByText('client-on-page-2')).toBeTruthy();
    expect(api.callsOf('ClientsPage_ClientsQuery').at(-1)?.variables.after).toBe('cursor-1');
    await user.click(screen.getByRole('button', { name: '← Previous' }));
    expect(await screen.findByText('client-on-page-1')).toBeTruthy();
    await user.type(screen.getByRole('searchbox', { name: 'Search clients by name' }), 'bot');
    await screen.findByText('client-on-page-1');
    await new Promise((r) => setTimeout(r, 300));
    expect(api.callsOf('ClientsPage_ClientsQuery').at(-1)?.variables).toEqual({ search: 'bot', first: 25, after: null });
  });

  it('creates a client and opens it, keeping the name on an error', async () => {
    const user = userEvent.setup();
    let attempt = 0;
    const api = renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ClientsPage_ViewerCanQuery: canCreateClient(true),
      ClientsPage_ClientsQuery: () => ({
        data: { clients: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
      }),
      ClientsPage_CreateClientMutation: () =>
        ++attempt === 1
          ? gqlError('A client named “chatbot” already exists.')
          : { data: { createClient: { client: { __typename: 'Client', id: 'bmV3', name: 'chatbot' } } } },
      ClientPage_ClientQuery: () => ({ data: { client: null } }),
    });
    const input = await screen.findByLabelText('New client');
    await user.type(input, 'chatbot');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    expect((await screen.findByRole('alert')).textContent).toBe('A client named “chatbot” already exists.');
    expect((input as HTMLInputElement).value).toBe('chatbot');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    expect(await screen.findByRole('heading', { name: 'Client not found' })).toBeTruthy();
    expect(api.callsOf('ClientPage_ClientQuery')[0].variables).toEqual({ id: 'bmV3' });
  });

  function profile(
    totalTokens: number,
    pool: { state: 'LIMITED' | 'UNLIMITED' | 'NOT_CONFIGURED'; balance: string | null; capacity: string | null },
  ) {
    return {
      data: {
        viewer: {
          ...viewer,
          usage: {
            __typename: 'Usage',
            requests: 749,
            inputTokens: totalTokens - 68678,
            outputTokens: 68678,
            totalTokens,
            coinsSpent: '2',
          },
          coinPool: { __typename: 'CoinPool', ...pool },
          coinRefill:
            pool.state === 'LIMITED'
              ? {
                  __typename: 'CoinRefill',
                  amount: '5',
                  intervalSeconds: 86400,
                  nextRefillAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
                }
              : null,
          modelAccess: [
            {
              __typename: 'ModelAccess',
              status: 'ALLOWED',
              setting: 'DEFAULT',
              callable: true,
              refusal: null as string | null,
              refusalReason: null as string | null,
              lastUsedAt: null,
              usage: { __typename: 'Usage', requests: 0, totalTokens: 0, coinsSpent: '0' },
              model: {
                __typename: 'Model',
                id: 'm1',
                name: 'phi-3.5-mini',
                provider: 'vllm',
                disabled: false,
                status: 'OK',
                needsConsent: false,
                consentNotice: null,
                defaultAccess: 'ALLOWED',
              },
            },
          ],
        },
      },
    };
  }

  /** The Profile page's sections that load on their own, with nothing in them yet. */
  const emptySections = {
    ApiKeysSection_ApiKeysQuery: () => ({
      data: { node: { __typename: 'User', id: viewer.id, apiKeys: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false } } } },
    }),
    AccessTokensSection_ViewerAccessTokensQuery: () => ({ data: { viewer: { __typename: 'User', id: viewer.id, accessTokens: [] } } }),
  };

  it('shows the profile with usage, pool and refill cards, personal keys and model access', async () => {
    renderApp('/profile', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ProfilePage_ViewerQuery: () => profile(1668678, { state: 'LIMITED', balance: '40', capacity: '50' }),
      ...emptySections,
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Admin' })).toBeTruthy();
    expect(await screen.findByText('No active API keys.')).toBeTruthy();
    expect(screen.getByRole('button', { name: '+ New API Key' })).toBeTruthy();
    const tokens = screen.getByRole('region', { name: 'Admin-API Tokens' });
    expect(await within(tokens).findByText('No admin-API tokens.')).toBeTruthy();
    expect(within(tokens).getByRole('button', { name: '+ New Token' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: /phi-3.5-mini/ })).toBeTruthy();
    const cards = screen.getByRole('region', { name: 'Your usage' });
    const card = (label: string) => within(cards).getByRole('heading', { name: label }).closest('.card') as HTMLElement;
    expect(within(card('Total Tokens Used')).getByText('1,668,678')).toBeTruthy();
    expect(within(card('Coins Spent')).getByText('2.00')).toBeTruthy();
    expect(within(card('Coin Pool')).getByText('40.00')).toBeTruthy();
    expect(within(card('Coin Pool')).getByRole('progressbar', { name: 'Coin pool balance' }).getAttribute('aria-valuenow')).toBe('40');
    expect(within(card('Coin Refill')).getByText('+5 coins / day')).toBeTruthy();
  });

  it('names a model a call would succeed with in the usage examples', async () => {
    const reply = profile(0, { state: 'LIMITED', balance: '0', capacity: '50' });
    const [paid] = reply.data.viewer.modelAccess;
    reply.data.viewer.modelAccess = [
      { ...paid, callable: false, refusal: 'NO_COINS', refusalReason: 'Your personal coin pool is empty.' },
      { ...paid, model: { ...paid.model, id: 'm2', name: 'free-model' } },
    ];
    const user = userEvent.setup();
    renderApp('/profile', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ProfilePage_ViewerQuery: () => reply,
      ...emptySections,
    });
    await user.click(await screen.findByRole('button', { name: 'Usage examples' }));
    expect(screen.getByRole('tabpanel').textContent).toContain('model="free-model"');
  });

  it('says when personal keys have no budget yet', async () => {
    renderApp('/profile', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ProfilePage_ViewerQuery: () => profile(0, { state: 'NOT_CONFIGURED', balance: null, capacity: null }),
      ...emptySections,
    });
    const cards = await screen.findByRole('region', { name: 'Your usage' });
    expect(within(cards).getByText('Not configured')).toBeTruthy();
    expect(within(cards).getByText('No refill')).toBeTruthy();
  });

  it('keeps the profile live through the viewerUsage subscription, from the figures each event carries', async () => {
    const api = renderApp('/profile', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ProfilePage_ViewerQuery: () => profile(1000, { state: 'UNLIMITED', balance: null, capacity: null }),
      ...emptySections,
    });
    const cards = await screen.findByRole('region', { name: 'Your usage' });
    expect(within(cards).getByText('1,000')).toBeTruthy();
    expect(within(cards).getByText('Unlimited')).toBeTruthy();
    await waitFor(() => expect(api.subscribers('ProfilePage_ViewerUsageSubscription')).toBe(1));
    const profileLoads = api.callsOf('ProfilePage_ViewerQuery').length;
    const keyLoads = api.callsOf('ApiKeysSection_ApiKeysQuery').length;
    const after = profile(1234, { state: 'UNLIMITED', balance: null, capacity: null }).data.viewer;
    act(() => {
      api.emit('ProfilePage_ViewerUsageSubscription', {
        viewerUsage: {
          change: 'METERED',
          at: new Date().toISOString(),
          user: { id: viewer.id },
          usage: after.usage,
          coinPool: after.coinPool,
          coinRefill: after.coinRefill,
          apiKey: null,
          modelAccess: null,
        },
      });
    });
    expect(await within(cards).findByText('1,234')).toBeTruthy();
    expect(api.callsOf('ProfilePage_ViewerQuery').length).toBe(profileLoads);
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').length).toBe(keyLoads);
  });
});
