import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, clientData, clientHeader, managersSection } from '../../test/fixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { ClientHeader } from './ClientHeader';
import { ClientPage } from './ClientPage';
import { ManagersSection } from './ManagersSection';

const canManageUsers = (manageUsers: boolean) => () => ({
  data: { viewerCan: { __typename: 'ViewerPermissions', createModel: manageUsers, manageModels: manageUsers, manageUsers } },
});

describe('Renaming and describing a client', () => {
  it('lets an admin rename the client and describe it, keeping what was typed when the API refuses', async () => {
    let attempts = 0;
    const api = mockApi({
      ClientPage_ClientQuery: () => ({ data: { client: { __typename: 'Client', ...clientData({ admin: true }), modelAccess: [] } } }),
      ApiKeysSection_ApiKeysQuery: () => ({
        data: {
          node: {
            __typename: 'Client',
            id: CLIENT_ID,
            apiKeys: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
          },
        },
      }),
      EditClientDialog_UpdateClientMutation: (v) => {
        const input = v.input as { name: string; description: string };
        return ++attempts === 1
          ? {
              data: null,
              errors: [{ message: 'an active client is already named "Chatbot"', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }],
            }
          : {
              data: { updateClient: { client: { __typename: 'Client', id: CLIENT_ID, name: input.name, description: input.description } } },
            };
      },
    });
    const { user } = renderWithApi(<ClientPage />, api, { path: `/clients/${CLIENT_ID}`, route: '/clients/:id' });
    const edit = await screen.findByRole('button', { name: 'Edit' });
    await user.click(edit);
    const dialog = screen.getByRole('dialog', { name: 'Edit client' });
    const name = within(dialog).getByRole('textbox', { name: 'Name' }) as HTMLInputElement;
    expect(name.value).toBe('example-bot');
    expect(document.activeElement).toBe(name);
    await user.clear(name);
    await user.type(name, 'Chatbot');
    await user.type(within(dialog).getByRole('textbox', { name: 'Description' }), 'The lab chatbot; ask Maria.');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('An active client is already named "Chatbot"')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.value).toBe('Chatbot');

    await user.type(name, ' 2');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('EditClientDialog_UpdateClientMutation')[1].variables).toEqual({
      input: { clientId: CLIENT_ID, name: 'Chatbot 2', description: 'The lab chatbot; ask Maria.' },
    });
    expect(screen.getByRole('heading', { level: 1, name: 'Chatbot 2' })).toBeTruthy();
    expect(screen.getByText('The lab chatbot; ask Maria.')).toBeTruthy();
    expect(document.activeElement).toBe(edit);
  });

  it('shows a manager the description, without Edit', () => {
    renderWithApi(<ClientHeader client={clientHeader({ admin: false, description: 'The lab chatbot.' })} />, mockApi({}));
    expect(screen.getByText('The lab chatbot.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });
});

describe("A manager's name", () => {
  it("links to the user's page for an admin", async () => {
    renderWithApi(
      <ManagersSection client={managersSection({ admin: true })} />,
      mockApi({ AdminsOnly_ViewerCanQuery: canManageUsers(true) }),
    );
    const link = await screen.findByRole('link', { name: 'Maria Manager' });
    expect(link.getAttribute('href')).toBe('/users/VXNlcjoy');
  });

  it('is plain text for a manager', async () => {
    const api = mockApi({ AdminsOnly_ViewerCanQuery: canManageUsers(false) });
    renderWithApi(<ManagersSection client={managersSection({ admin: false })} />, api);
    await waitFor(() => expect(api.callsOf('AdminsOnly_ViewerCanQuery')).toHaveLength(1));
    expect(screen.getByText('Maria Manager')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Maria Manager' })).toBeNull();
  });
});
