import { formatCoins } from '../../lib/format';

/** A pool in a table cell: its balance when limited, else its state in words. */
export function poolText(pool: { state: string; balance?: string | null }): string {
  if (pool.state === 'UNLIMITED') return 'Unlimited';
  if (pool.state === 'LIMITED') return `${formatCoins(pool.balance ?? '0')} coins`;
  return 'Not configured';
}
