import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID } from '../../test/fixtures';
import { mockApi, renderWithApi, type Handler } from '../../test/utils';
import { AddManagerDialog } from './AddManagerDialog';

const canManageUsers = (manageUsers: boolean) => () => ({
  data: { viewerCan: { __typename: 'ViewerPermissions', createModel: manageUsers, manageModels: manageUsers, manageUsers } },
});

function renderDialog(handlers: Record<string, Handler>) {
  const api = mockApi({ AddManagerDialog_UsersQuery: () => ({ data: { users: [] } }), ...handlers });
  const added: string[] = [];
  const view = renderWithApi(
    <AddManagerDialog
      clientId={CLIENT_ID}
      clientName="example-bot"
      existingManagerIds={[]}
      onClose={() => {}}
      onAdded={(name) => added.push(name)}
    />,
    api,
  );
  return { api, added, ...view };
}

describe('AddManagerDialog: no user matches', () => {
  it('offers an admin to create the user, pre-filled with what they typed, then adds them', async () => {
    const { api, added, user } = renderDialog({
      AdminsOnly_ViewerCanQuery: canManageUsers(true),
      NewUserForm_CreateUserMutation: () => ({
        data: {
          createUser: {
            user: {
              __typename: 'User',
              id: 'VXNlcjo5',
              name: 'Katherine Johnson',
              email: 'katherine@example.org',
              isAdmin: false,
              active: true,
            },
          },
        },
      }),
      AddManagerDialog_AddClientManagerMutation: () => ({
        data: { addClientManager: { client: { __typename: 'Client', id: CLIENT_ID, managers: [] } } },
      }),
    });
    const dialog = screen.getByRole('dialog', { name: 'Add Manager' });
    await user.type(within(dialog).getByRole('combobox', { name: 'Name or email' }), 'katherine@example.org');
    expect(await within(dialog).findByText('No user matches “katherine@example.org”.')).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Create user “katherine@example.org”' }));

    // An email goes to Email; focus goes to the field still empty.
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    expect((within(dialog).getByRole('textbox', { name: 'Email' }) as HTMLInputElement).value).toBe('katherine@example.org');
    expect(document.activeElement).toBe(name);
    expect(within(dialog).queryByRole('checkbox', { name: /Admin/ })).toBeNull();
    await user.type(name, 'Katherine Johnson');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));

    const input = await within(dialog).findByRole('combobox', { name: 'Name or email' });
    expect((input as HTMLInputElement).value).toBe('Katherine Johnson <katherine@example.org>');
    const add = within(dialog).getByRole('button', { name: 'Add Manager' });
    await waitFor(() => expect(document.activeElement).toBe(add));
    expect(api.callsOf('NewUserForm_CreateUserMutation')[0].variables).toEqual({
      input: { name: 'Katherine Johnson', email: 'katherine@example.org', isAdmin: false },
    });
    await user.click(add);
    await waitFor(() => expect(added).toEqual(['Katherine Johnson']));
    expect(api.callsOf('AddManagerDialog_AddClientManagerMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, userId: 'VXNlcjo5' },
    });
  });

  it('puts a typed name in Name, and goes back to the search with Cancel', async () => {
    const { user } = renderDialog({ AdminsOnly_ViewerCanQuery: canManageUsers(true) });
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByRole('combobox'), 'Katherine');
    await user.click(await within(dialog).findByRole('button', { name: 'Create user “Katherine”' }));
    expect((within(dialog).getByRole('textbox', { name: 'Name' }) as HTMLInputElement).value).toBe('Katherine');
    expect(document.activeElement).toBe(within(dialog).getByRole('textbox', { name: 'Email' }));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect((within(dialog).getByRole('combobox') as HTMLInputElement).value).toBe('Katherine');
  });

  it('does not offer it to whoever may not manage users', async () => {
    const { user } = renderDialog({ AdminsOnly_ViewerCanQuery: canManageUsers(false) });
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByRole('combobox'), 'Katherine');
    expect(await within(dialog).findByText('No user matches “Katherine”.')).toBeTruthy();
    expect(within(dialog).queryByRole('button', { name: /Create user/ })).toBeNull();
  });
});
