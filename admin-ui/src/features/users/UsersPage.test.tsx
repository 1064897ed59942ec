import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ADA_ID, connection, GRACE_ID, SELF_ID, userData } from './fixtures';
import { UsersPage } from './UsersPage';

const self = userData({
  id: SELF_ID,
  name: 'Dana Admin',
  email: 'dana@example.org',
  isAdmin: true,
  managedClients: [],
  coinPool: { state: 'NOT_CONFIGURED', balance: null, capacity: null },
  // The API says what may be done: an admin cannot deactivate or demote themselves here.
  viewerCan: { setAdmin: false, setActive: false, setCoinPool: true, revokeSessions: true },
});
const ada = userData();
const grace = userData({
  id: GRACE_ID,
  name: 'Grace Hopper',
  email: 'grace@example.org',
  active: false,
  lastSignInAt: null,
  managedClients: [],
});

function renderPage(handlers: Record<string, Handler> = {}) {
  const api = mockApi({ UsersPage_UsersQuery: () => ({ data: connection([ada, self, grace]) }), ...handlers });
  return { api, ...renderWithApi(<UsersPage />, api, { path: '/users' }) };
}

const rowOf = (name: string) => screen.getByRole('rowheader', { name: new RegExp(name) }).closest('tr')!;

describe('UsersPage', () => {
  it('lists every user with role, status, last sign-in, clients and personal pool', async () => {
    const { api } = renderPage();
    expect(await screen.findByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
    expect(api.callsOf('UsersPage_UsersQuery')[0].variables).toEqual({ search: null, first: 25, after: null });
    expect(screen.getByText('3 users')).toBeTruthy();
    const ada = rowOf('Ada Lovelace');
    expect(within(ada).getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe(`/users/${ADA_ID}`);
    expect(within(ada).getByText('ada@example.org')).toBeTruthy();
    expect(within(ada).getByText('User')).toBeTruthy();
    expect(within(ada).getByText('Active')).toBeTruthy();
    expect(within(ada).getByRole('link', { name: 'Research Chatbot' }).getAttribute('href')).toBe('/clients/Q2xpZW50OjE=');
    expect(within(ada).getByText('40.00 coins')).toBeTruthy();
    const dana = rowOf('Dana Admin');
    expect(within(dana).getByText('Admin')).toBeTruthy();
    expect(within(dana).getByText('Not configured')).toBeTruthy();
    expect(within(dana).getByText('None')).toBeTruthy();
    const grace = rowOf('Grace Hopper');
    expect(within(grace).getByText('Deactivated')).toBeTruthy();
    expect(within(grace).getByText('Never')).toBeTruthy();
  });

  it('shows only the actions the API allows for each user', async () => {
    renderPage();
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    expect(within(rowOf('Ada Lovelace')).getByRole('button', { name: 'Make admin: Ada Lovelace' })).toBeTruthy();
    expect(within(rowOf('Ada Lovelace')).getByRole('button', { name: 'Deactivate Ada Lovelace' })).toBeTruthy();
    expect(within(rowOf('Grace Hopper')).getByRole('button', { name: 'Activate Grace Hopper' })).toBeTruthy();
    expect(within(rowOf('Dana Admin')).queryByRole('button')).toBeNull();
  });

  it('makes a user admin after a confirmation and fetches the list again', async () => {
    const { api, user } = renderPage({
      UserAdminActions_SetUserAdminMutation: () => ({ data: { setUserAdmin: { user: { ...ada, isAdmin: true } } } }),
    });
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    const loads = api.callsOf('UsersPage_UsersQuery').length;
    await user.click(screen.getByRole('button', { name: 'Make admin: Ada Lovelace' }));
    const dialog = screen.getByRole('dialog', { name: 'Make Ada Lovelace an admin?' });
    expect(dialog.textContent).toContain('see and change everything');
    await user.click(within(dialog).getByRole('button', { name: 'Make admin' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('UserAdminActions_SetUserAdminMutation')[0].variables).toEqual({ input: { userId: ADA_ID, admin: true } });
    expect(screen.getByText('Ada Lovelace is now an admin.')).toBeTruthy();
    await waitFor(() => expect(api.callsOf('UsersPage_UsersQuery').length).toBe(loads + 1));
  });

  it('says what stops working before deactivating, and shows the API refusal in the dialog', async () => {
    const { api, user } = renderPage({
      UserAdminActions_SetUserActiveMutation: () => gqlError('ada@example.org is the last active admin and cannot be deactivated'),
    });
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    const opener = screen.getByRole('button', { name: 'Deactivate Ada Lovelace' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Deactivate Ada Lovelace?' });
    // The dangerous choice is not the default one.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    for (const what of ['browser sessions', 'admin-API tokens', 'personal API keys']) expect(dialog.textContent).toContain(what);
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate user' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('last active admin');
    expect(api.callsOf('UserAdminActions_SetUserActiveMutation')[0].variables).toEqual({ input: { userId: ADA_ID, active: false } });
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('creates a user from + New User, keeping what was typed on an error', async () => {
    let attempts = 0;
    const { api, user } = renderPage({
      NewUserForm_CreateUserMutation: () =>
        ++attempts === 1
          ? {
              data: null,
              errors: [
                { message: 'A user with the email kj@example.org already exists', extensions: { code: 'BAD_USER_INPUT', field: 'email' } },
              ],
            }
          : { data: { createUser: { user: userData({ id: 'VXNlcjo5', name: 'Katherine Johnson', email: 'katherine@example.org' }) } } },
    });
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    const loads = api.callsOf('UsersPage_UsersQuery').length;
    await user.click(screen.getByRole('button', { name: '+ New User' }));
    const dialog = screen.getByRole('dialog', { name: 'New User' });
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    expect(document.activeElement).toBe(name);
    // Checked before anything is sent.
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(api.callsOf('NewUserForm_CreateUserMutation')).toHaveLength(0);

    await user.type(name, 'Katherine Johnson');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    const email = within(dialog).getByRole('textbox', { name: 'Email' });
    await user.type(email, 'kj@example.org');
    await user.click(within(dialog).getByRole('checkbox', { name: /Admin/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await within(dialog).findByText('A user with the email kj@example.org already exists')).toBeTruthy();
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect((name as HTMLInputElement).value).toBe('Katherine Johnson');
    expect(api.callsOf('NewUserForm_CreateUserMutation')[0].variables).toEqual({
      input: { name: 'Katherine Johnson', email: 'kj@example.org', isAdmin: true },
    });

    await user.clear(email);
    await user.type(email, 'katherine@example.org');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByRole('link', { name: 'Katherine Johnson' }).getAttribute('href')).toBe('/users/VXNlcjo5');
    expect(screen.getByText(/login-link --email katherine@example.org/)).toBeTruthy();
    await waitFor(() => expect(api.callsOf('UsersPage_UsersQuery').length).toBe(loads + 1));
  });

  it('searches by name or email, and says when nothing matches', async () => {
    const { api, user } = renderPage({
      UsersPage_UsersQuery: (v) => ({ data: connection(v.search ? [] : [ada]) }),
    });
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    await user.type(screen.getByRole('searchbox', { name: 'Search users by name or email' }), 'zed');
    expect(await screen.findByText('No user matches “zed”.')).toBeTruthy();
    expect(api.callsOf('UsersPage_UsersQuery').at(-1)?.variables).toEqual({ search: 'zed', first: 25, after: null });
  });

  it('pages forward and back', async () => {
    const { api, user } = renderPage({
      UsersPage_UsersQuery: (v) =>
        v.after
          ? { data: connection([grace], { totalCount: 26 }) }
          : { data: connection([ada], { hasNextPage: true, endCursor: 'c24', totalCount: 26 }) },
    });
    await screen.findByRole('link', { name: 'Ada Lovelace' });
    await user.click(screen.getByRole('button', { name: 'Next →' }));
    expect(await screen.findByRole('link', { name: 'Grace Hopper' })).toBeTruthy();
    expect(api.callsOf('UsersPage_UsersQuery').at(-1)?.variables.after).toBe('c24');
    expect(screen.getByText('Page 2')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '← Previous' }));
    expect(await screen.findByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
  });

  it('shows the API error with a retry', async () => {
    let fail = true;
    const { user } = renderPage({
      UsersPage_UsersQuery: () => (fail ? gqlError('Something broke', 'INTERNAL_SERVER_ERROR') : { data: connection([ada]) }),
    });
    expect((await screen.findByRole('alert')).textContent).toContain('Something broke');
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
  });

  it('shows a loading state first', () => {
    renderPage({ UsersPage_UsersQuery: () => new Promise(() => {}) });
    expect(screen.getByRole('status').textContent).toContain('Loading users…');
  });
});
