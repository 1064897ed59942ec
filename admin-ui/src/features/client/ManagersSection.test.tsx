import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, managersSection } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi } from '../../test/utils';
import { ManagersSection } from './ManagersSection';

const users = [
  { __typename: 'User', id: 'VXNlcjoz', name: 'Ada Lovelace', email: 'ada@example.org' },
  { __typename: 'User', id: 'VXNlcjoy', name: 'Maria Manager', email: 'maria@example.org' },
];

describe('ManagersSection', () => {
  it('shows managers without any controls to a manager', () => {
    const api = mockApi({});
    renderWithApi(<ManagersSection client={managersSection({ admin: false })} />, api);
    const table = screen.getByRole('table');
    expect(within(table).getByText('Maria Manager')).toBeTruthy();
    expect(within(table).getByText('maria@example.org')).toBeTruthy();
    expect(screen.queryByRole('button', { name: '+ Add Manager' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove/ })).toBeNull();
  });

  it('shows an empty state', () => {
    renderWithApi(<ManagersSection client={managersSection({ managers: [] })} />, mockApi({}));
    expect(screen.getByText('No managers assigned.')).toBeTruthy();
  });

  it('lets an admin search users, pick one and add them', async () => {
    const api = mockApi({
      AddManagerDialog_UsersQuery: () => ({ data: { users } }),
      AddManagerDialog_AddClientManagerMutation: () => ({
        data: {
          addClientManager: { __typename: 'AddClientManagerPayload', client: { __typename: 'Client', id: CLIENT_ID, managers: [] } },
        },
      }),
    });
    const { user } = renderWithApi(<ManagersSection client={managersSection({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: '+ Add Manager' }));
    const dialog = screen.getByRole('dialog', { name: 'Add Manager' });
    const input = within(dialog).getByRole('combobox', { name: 'Name or email' });
    expect(document.activeElement).toBe(input);
    const add = within(dialog).getByRole('button', { name: 'Add Manager' }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);

    await user.type(input, 'ad');
    const option = await within(dialog).findByRole('option', { name: /Ada Lovelace/ });
    expect(api.callsOf('AddManagerDialog_UsersQuery').at(-1)?.variables.search).toBe('ad');
    // An existing manager is offered but cannot be picked.
    expect(
      within(dialog)
        .getByRole('option', { name: /Maria Manager/ })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    await user.click(option);
    expect((input as HTMLInputElement).value).toBe('Ada Lovelace <ada@example.org>');
    expect(add.disabled).toBe(false);
    await user.click(add);

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('AddManagerDialog_AddClientManagerMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, userId: 'VXNlcjoz' },
    });
    expect(screen.getByText('Ada Lovelace is now a manager of example-bot.')).toBeTruthy();
  });

  it('picks a suggestion with the keyboard and keeps the choice when the API refuses', async () => {
    const api = mockApi({
      AddManagerDialog_UsersQuery: () => ({ data: { users } }),
      AddManagerDialog_AddClientManagerMutation: () => gqlError('That user is deactivated.'),
    });
    const { user } = renderWithApi(<ManagersSection client={managersSection({ admin: true, managers: [] })} />, api);
    await user.click(screen.getByRole('button', { name: '+ Add Manager' }));
    const dialog = screen.getByRole('dialog');
    const input = within(dialog).getByRole('combobox');
    await user.type(input, 'a');
    await within(dialog).findByRole('option', { name: /Ada/ });
    await user.keyboard('{ArrowDown}{ArrowUp}{Enter}');
    expect((input as HTMLInputElement).value).toBe('Ada Lovelace <ada@example.org>');
    await user.click(within(dialog).getByRole('button', { name: 'Add Manager' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('That user is deactivated.');
    expect((input as HTMLInputElement).value).toBe('Ada Lovelace <ada@example.org>');
  });

  it('closes the dialog with Escape and gives focus back', async () => {
    const { user } = renderWithApi(<ManagersSection client={managersSection({ admin: true })} />, mockApi({}));
    const opener = screen.getByRole('button', { name: '+ Add Manager' });
    await user.click(opener);
    expect(screen.getByRole('dialog')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('removes a manager after confirmation', async () => {
    const api = mockApi({
      ManagersSection_RemoveClientManagerMutation: () => ({
        data: { removeClientManager: { client: { __typename: 'Client', id: CLIENT_ID, managers: [] } } },
      }),
    });
    const { user } = renderWithApi(<ManagersSection client={managersSection({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Remove Maria Manager' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Maria Manager?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove manager' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('ManagersSection_RemoveClientManagerMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, userId: 'VXNlcjoy' },
    });
  });
});
