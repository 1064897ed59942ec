import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, clientData, clientHeader, coinPoolSettings } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi } from '../../test/utils';
import { ClientHeader } from './ClientHeader';
import { CoinPoolSettingsButton } from './CoinPoolSettings';

describe('ClientHeader', () => {
  it('shows name and status, without Deactivate for a manager', () => {
    renderWithApi(<ClientHeader client={clientHeader({ admin: false })} />, mockApi({}));
    expect(screen.getByRole('heading', { level: 1, name: 'example-bot' })).toBeTruthy();
    expect(screen.getByText('Active')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /activate/i })).toBeNull();
  });

  it('lets an admin deactivate after confirmation', async () => {
    const api = mockApi({
      ClientHeader_SetClientActiveMutation: () => ({
        data: { setClientActive: { client: { __typename: 'Client', id: CLIENT_ID, active: false } } },
      }),
    });
    const { user } = renderWithApi(<ClientHeader client={clientHeader({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Deactivate' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate example-bot?' });
    // The safe choice has focus in a destructive confirmation.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Deactivate client' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('ClientHeader_SetClientActiveMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, active: false },
    });
  });

  it('tells of a deactivation in the warning style, not the success one', async () => {
    const api = mockApi({
      ClientHeader_SetClientActiveMutation: (v) => {
        const active = (v.input as { active: boolean }).active;
        return { data: { setClientActive: { client: { __typename: 'Client', id: CLIENT_ID, active } } } };
      },
    });
    const { user } = renderWithApi(<ClientHeader client={clientHeader({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Deactivate' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Deactivate client' }));
    const deactivated = await screen.findByText('The client is deactivated; its API keys stop working.');
    expect(deactivated.classList.contains('alert-warning')).toBe(true);
    expect(deactivated.classList.contains('alert-success')).toBe(false);
  });

  it('offers Activate for an inactive client', () => {
    renderWithApi(<ClientHeader client={clientHeader({ admin: true, active: false })} />, mockApi({}));
    expect(screen.getByText('Inactive')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Activate' })).toBeTruthy();
  });
});

describe('CoinPoolSettings', () => {
  it('saves a limited pool with an hourly refill', async () => {
    const api = mockApi({
      CoinPoolSettings_SetClientCoinPoolMutation: () => ({
        // The client as the API answers: everything the mutation selects (clientData's figures).
        data: { setClientCoinPool: { client: { __typename: 'Client', ...clientData({ admin: true }) } } },
      }),
    });
    const { user } = renderWithApi(<CoinPoolSettingsButton owner={coinPoolSettings({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Coin pool settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Coin pool settings' });
    expect((within(dialog).getByRole('radio', { name: 'Limited' }) as HTMLInputElement).checked).toBe(true);
    const capacity = within(dialog).getByLabelText('Capacity (coins)');
    await user.clear(capacity);
    await user.type(capacity, '250');
    const every = within(dialog).getByLabelText('Every');
    await user.clear(every);
    await user.type(every, '2');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('CoinPoolSettings_SetClientCoinPoolMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, state: 'LIMITED', capacity: '250', balance: '75', refillAmount: '50', refillIntervalSeconds: 7200 },
    });
  });

  it('checks numbers before sending and keeps the form on an API error', async () => {
    const api = mockApi({ CoinPoolSettings_SetClientCoinPoolMutation: () => gqlError('Balance cannot exceed capacity.') });
    const { user } = renderWithApi(<CoinPoolSettingsButton owner={coinPoolSettings({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Coin pool settings' }));
    const dialog = screen.getByRole('dialog');
    const balance = within(dialog).getByLabelText('Balance (coins)');
    await user.clear(balance);
    await user.type(balance, '-5');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByRole('alert').textContent).toContain('Balance must be a number');
    expect(api.callsOf('CoinPoolSettings_SetClientCoinPoolMutation')).toHaveLength(0);
    await user.clear(balance);
    await user.type(balance, '500');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Balance cannot exceed capacity.')).toBeTruthy();
    expect((within(dialog).getByLabelText('Balance (coins)') as HTMLInputElement).value).toBe('500');
  });

  it('switches to unlimited', async () => {
    const api = mockApi({
      CoinPoolSettings_SetClientCoinPoolMutation: () => ({
        // The client as the API answers: everything the mutation selects (clientData's figures).
        data: { setClientCoinPool: { client: { __typename: 'Client', ...clientData({ admin: true }) } } },
      }),
    });
    const { user } = renderWithApi(<CoinPoolSettingsButton owner={coinPoolSettings({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Coin pool settings' }));
    await user.click(screen.getByRole('radio', { name: 'Unlimited' }));
    expect(screen.queryByLabelText('Capacity (coins)')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.callsOf('CoinPoolSettings_SetClientCoinPoolMutation')).toHaveLength(1));
    expect(api.calls.at(-1)?.variables).toEqual({ input: { clientId: CLIENT_ID, state: 'UNLIMITED' } });
  });
});
