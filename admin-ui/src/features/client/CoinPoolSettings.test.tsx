import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { clientData, coinPoolSettings } from '../../test/fixtures';
import { mockApi, renderWithApi, type Handler } from '../../test/utils';
import { CoinPoolSettingsButton } from './CoinPoolSettings';

async function open(client: ReturnType<typeof coinPoolSettings>, handlers: Record<string, Handler> = {}) {
  const api = mockApi(handlers);
  const view = renderWithApi(<CoinPoolSettingsButton owner={client} />, api);
  await view.user.click(screen.getByRole('button', { name: 'Coin pool settings' }));
  return { api, ...view, dialog: screen.getByRole('dialog', { name: 'Coin pool settings' }) };
}

/** The message an input points at (aria-describedby), or null. */
function messageOf(input: HTMLElement): string | null {
  const id = input.getAttribute('aria-describedby');
  return id ? (document.getElementById(id)?.textContent ?? null) : null;
}

describe('CoinPoolSettings dialog', () => {
  it('opens on the pool as it is: its state focused, the refill in the unit it was set in', async () => {
    const { dialog } = await open(
      coinPoolSettings({
        admin: true,
        coinRefill: { amount: '2.5', intervalSeconds: 90, nextRefillAt: new Date(Date.now() + 60_000).toISOString() },
      }),
    );
    const limited = within(dialog).getByRole('radio', { name: 'Limited' }) as HTMLInputElement;
    expect(limited.checked).toBe(true);
    expect(document.activeElement).toBe(limited);
    expect((within(dialog).getByLabelText('Capacity (coins)') as HTMLInputElement).value).toBe('100');
    expect((within(dialog).getByLabelText('Balance (coins)') as HTMLInputElement).value).toBe('75');
    expect((within(dialog).getByRole('checkbox', { name: 'Refill automatically' }) as HTMLInputElement).checked).toBe(true);
    expect((within(dialog).getByLabelText('Add (coins)') as HTMLInputElement).value).toBe('2.5');
    // 90 seconds, not rounded to 2 minutes.
    expect((within(dialog).getByLabelText('Every') as HTMLInputElement).value).toBe('90');
    expect((within(dialog).getByRole('combobox', { name: 'Interval unit' }) as HTMLSelectElement).value).toBe('1');
  });

  it('focuses Unlimited for an unlimited pool', async () => {
    const { dialog } = await open(
      coinPoolSettings({
        admin: true,
        coinPool: { state: 'UNLIMITED', balance: null, capacity: null, largestRecentReservation: null },
        coinRefill: null,
      }),
    );
    expect(document.activeElement).toBe(within(dialog).getByRole('radio', { name: 'Unlimited' }));
  });

  it('shows each problem beside its field, in sentence case with aria-invalid, and clears it once fixed', async () => {
    const { api, user, dialog } = await open(coinPoolSettings({ admin: true }));
    const capacity = within(dialog).getByLabelText('Capacity (coins)');
    const refill = within(dialog).getByLabelText('Add (coins)');
    const balance = within(dialog).getByLabelText('Balance (coins)');
    await user.clear(capacity);
    await user.type(capacity, 'lots');
    await user.clear(refill);
    await user.type(refill, '0');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(api.callsOf('CoinPoolSettings_SetClientCoinPoolMutation')).toHaveLength(0);
    expect(capacity.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf(capacity)).toBe('Capacity must be a number of coins greater than 0, for example 100 or 12.5.');
    expect(refill.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf(refill)).toBe('Refill amount must be a number of coins greater than 0.');
    expect(balance.getAttribute('aria-invalid')).toBeNull();
    // Beside the field: in the same field group as its input.
    expect(document.getElementById(capacity.getAttribute('aria-describedby')!)!.closest('.field')).toBe(capacity.closest('.field'));
    expect(document.activeElement).toBe(capacity);

    await user.clear(capacity);
    await user.type(capacity, '120');
    expect(capacity.getAttribute('aria-invalid')).toBeNull();
    expect(messageOf(capacity)).toBeNull();
    expect(messageOf(refill)).toBe('Refill amount must be a number of coins greater than 0.');
    await user.clear(refill);
    await user.type(refill, '5');
    expect(refill.getAttribute('aria-invalid')).toBeNull();
    expect(within(dialog).queryByText(/must be/)).toBeNull();
  });

  it('puts the API’s objection to a field beside it, as a sentence, until the value changes', async () => {
    const { api, user, dialog } = await open(coinPoolSettings({ admin: true }), {
      CoinPoolSettings_SetClientCoinPoolMutation: (variables) =>
        (variables.input as { balance: string }).balance === '500'
          ? {
              data: null,
              errors: [{ message: 'balance cannot be more than capacity', extensions: { code: 'BAD_USER_INPUT', field: 'balance' } }],
            }
          : { data: { setClientCoinPool: { client: { __typename: 'Client', ...clientData({ admin: true }) } } } },
    });
    const balance = within(dialog).getByLabelText('Balance (coins)');
    await user.clear(balance);
    await user.type(balance, '500');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await within(dialog).findByText('Balance cannot be more than capacity');
    expect(balance.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf(balance)).toBe('Balance cannot be more than capacity');
    expect((balance as HTMLInputElement).value).toBe('500');
    await user.clear(balance);
    await user.type(balance, '50');
    expect(balance.getAttribute('aria-invalid')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(api.callsOf('CoinPoolSettings_SetClientCoinPoolMutation')).toHaveLength(2);
  });
});
