import { act, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { clientData, usageCards } from '../../test/fixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { connectionMonitorOf } from '../../urql';
import { UsageCards } from './UsageCards';

function card(label: string) {
  return screen.getByRole('heading', { name: label }).closest('.card') as HTMLElement;
}

describe('UsageCards', () => {
  it('shows tokens, coins, a limited pool with its progress bar, and the refill rate with a countdown', () => {
    render(<UsageCards owner={usageCards()} />);
    expect(within(card('Total Tokens Used')).getByText('1,126,939')).toBeTruthy();
    expect(within(card('Total Tokens Used')).getByText('1,000,000 in + 126,939 out')).toBeTruthy();
    expect(within(card('Total Tokens Used')).getByText('505 requests')).toBeTruthy();
    // Each card is a group named by its label (how the e2e suite and screen readers find it).
    expect(screen.getByRole('group', { name: 'Coin Pool' })).toBe(card('Coin Pool'));
    expect(within(card('Coins Spent')).getByText('1.35')).toBeTruthy();
    const pool = card('Coin Pool');
    expect(within(pool).getByText('75.00')).toBeTruthy();
    expect(within(pool).getByText('of 100.00 max')).toBeTruthy();
    const bar = within(pool).getByRole('progressbar', { name: 'Coin pool balance' });
    expect(bar.getAttribute('aria-valuenow')).toBe('75');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect((bar.firstChild as HTMLElement).style.width).toBe('75%');
    const refill = card('Coin Refill');
    expect(within(refill).getByText('+50 coins / hour')).toBeTruthy();
    expect(within(refill).getByText(/^(29|30) min \d\d s$/)).toBeTruthy();
  });

  it('says Unlimited and No refill', () => {
    render(
      <UsageCards
        owner={usageCards({
          coinPool: { state: 'UNLIMITED', balance: null, capacity: null, largestRecentReservation: null },
          coinRefill: null,
        })}
      />,
    );
    expect(within(card('Coin Pool')).getByText('Unlimited')).toBeTruthy();
    expect(within(card('Coin Refill')).getByText('No refill')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('says Not configured for a new client', () => {
    render(
      <UsageCards
        owner={usageCards({
          coinPool: { state: 'NOT_CONFIGURED', balance: null, capacity: null, largestRecentReservation: null },
          coinRefill: null,
        })}
      />,
    );
    expect(within(card('Coin Pool')).getByText('Not configured')).toBeTruthy();
  });

  it('asks for a fresh balance once the countdown runs out', () => {
    let due = 0;
    render(
      <UsageCards
        owner={usageCards({
          coinRefill: { amount: '0.05', intervalSeconds: 86400, nextRefillAt: new Date(Date.now() - 1000).toISOString() },
        })}
        onRefillDue={() => due++}
      />,
    );
    expect(within(card('Coin Refill')).getByText('+0.05 coins / day')).toBeTruthy();
    expect(screen.getByText('refilling now')).toBeTruthy();
    expect(due).toBe(1);
  });

  it('shows coins exactly: 19.999991 is not 20.00', () => {
    render(
      <UsageCards
        owner={usageCards({
          usage: { ...clientData().usage, coinsSpent: '1234.000001' },
          coinPool: { state: 'LIMITED', balance: '19.999991', capacity: '20', largestRecentReservation: null },
        })}
      />,
    );
    expect(within(card('Coins Spent')).getByText('1,234.000001')).toBeTruthy();
    expect(within(card('Coin Pool')).getByText('19.999991')).toBeTruthy();
    expect(within(card('Coin Pool')).getByText('of 20.00 max')).toBeTruthy();
  });

  it('warns on the Coin Pool card when the balance is below the largest of the last 20 reservations', () => {
    const pool = (balance: string, largestRecentReservation: string | null, state: 'LIMITED' | 'UNLIMITED' = 'LIMITED') =>
      usageCards({ coinPool: { state, balance, capacity: '100', largestRecentReservation } });
    const view = render(<UsageCards owner={pool('0.75', '1.2')} />);
    expect(within(card('Coin Pool')).getByText(/Lower than the largest of the last 20 requests \(1\.20 coins reserved\)/)).toBeTruthy();
    // Exactly as much as the largest: it still fits.
    view.rerender(<UsageCards owner={pool('1.20', '1.2')} />);
    expect(within(card('Coin Pool')).queryByText(/Lower than the largest/)).toBeNull();
    view.rerender(<UsageCards owner={pool('0.75', null)} />);
    expect(within(card('Coin Pool')).queryByText(/Lower than the largest/)).toBeNull();
    view.rerender(<UsageCards owner={pool('0', '5', 'UNLIMITED')} />);
    expect(within(card('Coin Pool')).queryByText(/Lower than the largest/)).toBeNull();
  });

  it('marks the figures as the last known ones while live updates are down, not as current', () => {
    const api = mockApi({});
    renderWithApi(<UsageCards owner={usageCards()} />, api);
    const monitor = connectionMonitorOf(api.client)!;
    expect(screen.queryByText(/Not live/)).toBeNull();
    act(() => monitor.liveDropped());
    const note = screen.getByText(/^Not live: last known figures, from /);
    const cards = screen.getByRole('region', { name: 'Usage' });
    expect(cards.hasAttribute('data-stale')).toBe(true);
    for (const label of ['Total Tokens Used', 'Coins Spent', 'Coin Pool', 'Coin Refill']) {
      expect(screen.getByRole('group', { name: label }).getAttribute('aria-describedby')).toBe(note.id);
    }
    act(() => monitor.liveConnected(true));
    expect(screen.queryByText(/Not live/)).toBeNull();
    expect(cards.hasAttribute('data-stale')).toBe(false);
  });
});
