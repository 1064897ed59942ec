import { useEffect, useRef } from 'react';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { formatCoins, formatCountdown, formatInt, formatInterval, coinsToNumber } from '../../lib/format';
import { useNow } from '../../lib/hooks';

export const UsageCards_ClientFragment = graphql(`
  fragment UsageCards_ClientFragment on Client {
    id
    usage {
      requests
      inputTokens
      outputTokens
      totalTokens
      coinsSpent
    }
    coinPool {
      state
      balance
      capacity
    }
    coinRefill {
      amount
      intervalSeconds
      nextRefillAt
    }
  }
`);

export function UsageCards(props: {
  client: FragmentType<typeof UsageCards_ClientFragment>;
  /** Called once when the refill countdown reaches zero (to fetch the new balance). */
  onRefillDue?: () => void;
}) {
  const client = getFragmentData(UsageCards_ClientFragment, props.client);
  const { usage, coinPool, coinRefill } = client;
  return (
    <section className="cards" aria-label="Usage">
      <div className="card">
        <h3 className="card-label">Total Tokens Used</h3>
        <p className="card-value">{formatInt(usage.totalTokens)}</p>
        <p className="card-note">
          {formatInt(usage.inputTokens)} in + {formatInt(usage.outputTokens)} out · {formatInt(usage.requests)} requests
        </p>
      </div>
      <div className="card">
        <h3 className="card-label">Coins Spent</h3>
        <p className="card-value">{formatCoins(usage.coinsSpent)}</p>
        <p className="card-note">all time</p>
      </div>
      <CoinPoolCard pool={coinPool} />
      <CoinRefillCard refill={coinRefill ?? null} onRefillDue={props.onRefillDue} />
    </section>
  );
}

type Pool = { state: string; balance?: string | null; capacity?: string | null };

function CoinPoolCard({ pool }: { pool: Pool }) {
  if (pool.state === 'UNLIMITED') {
    return (
      <div className="card">
        <h3 className="card-label">Coin Pool</h3>
        <p className="card-value">Unlimited</p>
        <p className="card-note">no spending limit</p>
      </div>
    );
  }
  if (pool.state !== 'LIMITED') {
    return (
      <div className="card">
        <h3 className="card-label">Coin Pool</h3>
        <p className="card-value card-value-muted">Not configured</p>
        <p className="card-note">an admin has not set a budget yet</p>
      </div>
    );
  }
  const balance = coinsToNumber(pool.balance);
  const capacity = coinsToNumber(pool.capacity);
  const percent = capacity > 0 ? Math.max(0, Math.min(100, (balance / capacity) * 100)) : 0;
  const tone = percent <= 10 ? 'low' : percent <= 30 ? 'medium' : 'high';
  return (
    <div className="card">
      <h3 className="card-label">Coin Pool</h3>
      <p className="card-value">{formatCoins(pool.balance ?? '0')}</p>
      <p className="card-note">{pool.capacity != null ? `of ${formatCoins(pool.capacity)} max` : 'no maximum'}</p>
      {pool.capacity != null && (
        <div
          className={`progress progress-${tone}`}
          role="progressbar"
          aria-label="Coin pool balance"
          aria-valuemin={0}
          aria-valuemax={capacity}
          aria-valuenow={balance}
          aria-valuetext={`${formatCoins(pool.balance ?? '0')} of ${formatCoins(pool.capacity)} coins`}
        >
          <div className="progress-bar" style={{ width: `${percent}%` }} />
        </div>
      )}
    </div>
  );
}

type Refill = { amount: string; intervalSeconds: number; nextRefillAt: string };

export function refillRate(refill: Pick<Refill, 'amount' | 'intervalSeconds'>): string {
  return `+${formatCoins(refill.amount).replace(/\.00$/, "")} coins / ${formatInterval(refill.intervalSeconds)}`;
}

function CoinRefillCard({ refill, onRefillDue }: { refill: Refill | null; onRefillDue?: () => void }) {
  const now = useNow(1000, refill !== null);
  const due = refill ? new Date(refill.nextRefillAt).getTime() : NaN;
  const seconds = Number.isFinite(due) ? Math.ceil((due - now) / 1000) : NaN;
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (refill && seconds <= 0 && reported.current !== refill.nextRefillAt) {
      reported.current = refill.nextRefillAt;
      onRefillDue?.();
    }
  }, [seconds, refill, onRefillDue]);

  if (!refill) {
    return (
      <div className="card">
        <h3 className="card-label">Coin Refill</h3>
        <p className="card-value card-value-muted">No refill</p>
        <p className="card-note">the pool is not topped up automatically</p>
      </div>
    );
  }
  return (
    <div className="card">
      <h3 className="card-label">Coin Refill</h3>
      <p className="card-value">{refillRate(refill)}</p>
      <p className="card-note">
        {Number.isNaN(seconds) ? null : seconds > 0 ? (
          <>
            next in <time dateTime={refill.nextRefillAt}>{formatCountdown(seconds)}</time>
          </>
        ) : (
          'refilling now'
        )}
      </p>
    </div>
  );
}
