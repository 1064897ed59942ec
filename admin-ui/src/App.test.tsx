import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { gqlError, mockApi } from './test/utils';

const viewer = { __typename: 'User', id: 'VXNlcjox', name: 'Ada Admin', email: 'ada@example.org', isAdmin: true };

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
    renderApp('/clients/abc', { Layout_ViewerQuery: () => gqlError('Sign in first.', 'UNAUTHENTICATED') });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByText('npm run lumen -- login-link --email you@example.org')).toBeTruthy();
    // The page to return to after signing in is remembered.
    await waitFor(() => expect(sessionStorage.getItem('lumen.afterSignIn')).toBe('/clients/abc'));
    // No OIDC button: the API does not offer OIDC sign-in yet.
    expect(screen.queryByRole('link', { name: /institution/ })).toBeNull();
  });

  it('shows the viewer in the header and lists clients', async () => {
    const api = renderApp('/', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
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
    expect(screen.getByLabelText('New client')).toBeTruthy();
    expect(api.callsOf('ClientsPage_ClientsQuery')[0].variables).toEqual({ search: null, first: 25, after: null });
  });

  it('hides the New client form from non-admins and explains an empty list', async () => {
    renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer: { ...viewer, isAdmin: false } } }),
      ClientsPage_ClientsQuery: () => ({
        data: { clients: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } } },
      }),
    });
    expect(await screen.findByText(/You do not manage any clients yet/)).toBeTruthy();
    expect(screen.queryByLabelText('New client')).toBeNull();
  });

  it('pages through clients and searches on the server', async () => {
    const user = userEvent.setup();
    const api = renderApp('/clients', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
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

  it('shows the profile with personal keys and model access', async () => {
    renderApp('/profile', {
      Layout_ViewerQuery: () => ({ data: { viewer } }),
      ProfilePage_ViewerQuery: () => ({
        data: {
          viewer: {
            ...viewer,
            usage: { requests: 749, totalTokens: 1668678, coinsSpent: '2' },
            modelAccess: [
              {
                __typename: 'ModelAccess',
                status: 'ALLOWED',
                lastUsedAt: null,
                usage: { requests: 0, totalTokens: 0, coinsSpent: '0' },
                model: { __typename: 'Model', id: 'm1', name: 'phi-3.5-mini', provider: 'vllm', disabled: false, needsConsent: false, consentNotice: null },
              },
            ],
          },
        },
      }),
      ApiKeysSection_ViewerApiKeysQuery: () => ({
        data: { viewer: { __typename: 'User', id: viewer.id, apiKeys: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false } } } },
      }),
    });
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Admin' })).toBeTruthy();
    expect(await screen.findByText('No active API keys.')).toBeTruthy();
    expect(screen.getByRole('button', { name: '+ New API Key' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: /phi-3.5-mini/ })).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Your usage' })).getByText('1,668,678')).toBeTruthy();
  });
});
