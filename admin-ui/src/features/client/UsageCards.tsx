import { useEffect, useId, useRef, type ReactNode } from 'react';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { coinsLessThan, formatCoins, formatCountdown, formatInt, formatInterval, coinsToNumber } from '../../lib/format';
import { useNow } from '../../lib/hooks';
import { StaleNote } from '../../connection/StaleNote';
import { useConnection } from '../../connection/useConnection';

/** A client's figures, or the viewer's own (personal keys) on the Profile page: the same four cards. */
export const UsageCards_UsageOwnerFragment = graphql(`
  fragment UsageCards_UsageOwnerFragment on UsageOwner {
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
      largestRecentReservation
    }
    coinRefill {
      amount
      intervalSeconds
      nextRefillAt
    }
  }
`);

export function UsageCards(props: {
  owner: FragmentType<typeof UsageCards_UsageOwnerFragment>;
  /** "Usage" for a client, "Your usage" on the Profile page. */
  label?: string;
  /** A note under the token count, such as "personal keys". */
  tokensNote?: string;
  /** Called once when the refill countdown reaches zero (to fetch the new balance). */
  onRefillDue?: () => void;
}) {
  const figures = getFragmentData(UsageCards_UsageOwnerFragment, props.owner);
  return <UsageCardRow figures={figures} label={props.label ?? 'Usage'} tokensNote={props.tokensNote} onRefillDue={props.onRefillDue} />;
}

type Figures = {
  usage: { requests: number; inputTokens: number; outputTokens: number; totalTokens: number; coinsSpent: string };
  coinPool: Pool;
  coinRefill?: Refill | null;
};

function UsageCardRow({
  figures,
  label,
  tokensNote,
  onRefillDue,
}: {
  figures: Figures;
  label: string;
  tokensNote?: string;
  onRefillDue?: () => void;
}) {
  const { usage, coinPool, coinRefill } = figures;
  // Without Lumen's live updates the figures are the last known ones: marked so, not shown as current.
  const { stale } = useConnection();
  const staleId = useId();
  const note = stale ? staleId : undefined;
  return (
    <section className="cards" aria-label={label} data-stale={stale || undefined}>
      <StaleNote id={staleId} />
      <Card label="Total Tokens Used" describedBy={note}>
        <p className="card-value">{formatInt(usage.totalTokens)}</p>
        <p className="card-note">
          {formatInt(usage.inputTokens)} in + {formatInt(usage.outputTokens)} out
        </p>
        <p className="card-note">
          {formatInt(usage.requests)} {usage.requests === 1 ? 'request' : 'requests'}
          {tokensNote ? ` · ${tokensNote}` : ''}
        </p>
      </Card>
      <Card label="Coins Spent" describedBy={note}>
        <p className="card-value">{formatCoins(usage.coinsSpent)}</p>
        <p className="card-note">all time</p>
      </Card>
      <CoinPoolCard pool={coinPool} describedBy={note} />
      <CoinRefillCard refill={coinRefill ?? null} onRefillDue={onRefillDue} describedBy={note} />
    </section>
  );
}

type Pool = { state: string; balance?: string | null; capacity?: string | null; largestRecentReservation?: string | null };

function CoinPoolCard({ pool, describedBy }: { pool: Pool; describedBy?: string }) {
  if (pool.state === 'UNLIMITED') {
    return (
      <Card label="Coin Pool" describedBy={describedBy}>
        <p className="card-value">Unlimited</p>
        <p className="card-note">no spending limit</p>
      </Card>
    );
  }
  if (pool.state !== 'LIMITED') {
    return (
      <Card label="Coin Pool" describedBy={describedBy}>
        <p className="card-value card-value-muted">Not configured</p>
        <p className="card-note">an admin has not set a budget yet</p>
      </Card>
    );
  }
  const balance = coinsToNumber(pool.balance);
  const capacity = coinsToNumber(pool.capacity);
  const percent = capacity > 0 ? Math.max(0, Math.min(100, (balance / capacity) * 100)) : 0;
  const tone = percent <= 10 ? 'low' : percent <= 30 ? 'medium' : 'high';
  // A request as large as a recent one would be refused (429): say so before it happens.
  const largest = pool.largestRecentReservation;
  const short = largest != null && coinsLessThan(pool.balance ?? '0', largest);
  return (
    <Card label="Coin Pool" describedBy={describedBy}>
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
      {short && (
        <p className="card-warning">
          Lower than the largest of the last 20 requests ({formatCoins(largest)} coins reserved): a request that large would be refused for
          lack of coins.
        </p>
      )}
    </Card>
  );
}

type Refill = { amount: string; intervalSeconds: number; nextRefillAt: string };

export function refillRate(refill: Pick<Refill, 'amount' | 'intervalSeconds'>): string {
  return `+${formatCoins(refill.amount).replace(/\.00$/, '')} coins / ${formatInterval(refill.intervalSeconds)}`;
}

function CoinRefillCard({ refill, onRefillDue, describedBy }: { refill: Refill | null; onRefillDue?: () => void; describedBy?: string }) {
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
      <Card label="Coin Refill" describedBy={describedBy}>
        <p className="card-value card-value-muted">No refill</p>
        <p className="card-note">the pool is not topped up automatically</p>
      </Card>
    );
  }
  return (
    <Card label="Coin Refill" describedBy={describedBy}>
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
    </Card>
  );
}

/** One card: a group named by its label, so "Coin Pool" can be found (and is announced) as such. */
function Card({ label, describedBy, children }: { label: string; describedBy?: string; children: ReactNode }) {
  const id = useId();
  return (
    <div className="card" role="group" aria-labelledby={id} aria-describedby={describedBy}>
      <h3 className="card-label" id={id}>
        {label}
      </h3>
      {children}
    </div>
  );
}
