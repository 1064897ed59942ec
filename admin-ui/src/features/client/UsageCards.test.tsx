import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { usageCards } from '../../test/fixtures';
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
    render(<UsageCards owner={usageCards({ coinPool: { state: 'UNLIMITED', balance: null, capacity: null }, coinRefill: null })} />);
    expect(within(card('Coin Pool')).getByText('Unlimited')).toBeTruthy();
    expect(within(card('Coin Refill')).getByText('No refill')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('says Not configured for a new client', () => {
    render(<UsageCards owner={usageCards({ coinPool: { state: 'NOT_CONFIGURED', balance: null, capacity: null }, coinRefill: null })} />);
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
});
