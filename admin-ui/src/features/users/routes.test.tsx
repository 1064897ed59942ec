import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from '../../App';
import { mockApi, type Handler } from '../../test/utils';
import { ADA_ID, connection, userData } from './fixtures';

const viewer = (isAdmin: boolean) => () => ({
  data: { viewer: { __typename: 'User', id: 'VXNlcjox', name: isAdmin ? 'Dana Admin' : 'Maria Manager', email: 'x@example.org', isAdmin } },
});
const viewerCan = (admin: boolean) => () => ({
  data: {
    viewerCan: { __typename: 'ViewerPermissions', createClient: admin, createModel: admin, manageModels: admin, manageUsers: admin },
  },
});

function renderApp(path: string, admin: boolean, handlers: Record<string, Handler> = {}) {
  const api = mockApi({ Layout_ViewerQuery: viewer(admin), AdminsOnly_ViewerCanQuery: viewerCan(admin), ...handlers });
  render(
    <MemoryRouter initialEntries={[path]}>
      <App client={api.client} />
    </MemoryRouter>,
  );
  return api;
}

describe('The Users pages in the app', () => {
  it('are in the navigation for an admin, and list the users', async () => {
    renderApp('/users', true, { UsersPage_UsersQuery: () => ({ data: connection([userData()]) }) });
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect((await within(nav).findByRole('link', { name: 'Users' })).getAttribute('href')).toBe('/users');
    expect(await screen.findByRole('heading', { level: 1, name: 'Users' })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'Ada Lovelace' })).toBeTruthy();
  });

  it('show a manager the Admins only page, by either URL, without asking for the users', async () => {
    for (const path of ['/users', `/users/${ADA_ID}`]) {
      const api = renderApp(path, false);
      expect(await screen.findByRole('heading', { level: 1, name: 'Admins only' })).toBeTruthy();
      expect(screen.getByText(/The Users page is for the admins/)).toBeTruthy();
      const nav = screen.getByRole('navigation', { name: 'Main' });
      await waitFor(() => expect(api.callsOf('AdminsOnly_ViewerCanQuery').length).toBeGreaterThan(0));
      expect(within(nav).queryByRole('link', { name: 'Users' })).toBeNull();
      expect(api.callsOf('UsersPage_UsersQuery')).toHaveLength(0);
      expect(api.callsOf('UserPage_UserQuery')).toHaveLength(0);
      cleanup();
    }
  });
});
