import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { Badge, EmptyRow, RowDangerButton } from '../../components/ui';
import { coinsToNumber, formatCoins, formatDate, formatDateTime, formatInt } from '../../lib/format';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { useSortedRows } from '../../lib/sort';
import { Truncated } from '../../components/Truncated';
import { useConnection } from '../../connection/useConnection';
import { KeyRateLimits } from './KeyRateLimits';

export const ApiKeysTable_ApiKeyFragment = graphql(`
  fragment ApiKeysTable_ApiKeyFragment on ApiKey {
    id
    name
    hint
    active
    requests
    totalTokens
    coinsSpent
    lastUsedAt
    createdAt
    revokedAt
    expiresAt
    rateLimits {
      requestsPerMinute
      tokensPerMinute
    }
  }
`);

type ApiKeyRow = ResultOf<typeof ApiKeysTable_ApiKeyFragment>;
type Column = 'name' | 'hint' | 'requests' | 'tokens' | 'coins' | 'lastUsed' | 'expires';

const accessors: Record<Column, (k: ApiKeyRow) => string | number | null> = {
  name: (k) => k.name,
  hint: (k) => k.hint,
  requests: (k) => Number(k.requests),
  tokens: (k) => Number(k.totalTokens),
  coins: (k) => coinsToNumber(k.coinsSpent),
  lastUsed: (k) => (k.lastUsedAt ? Date.parse(k.lastUsedAt) : null),
  expires: (k) => (k.expiresAt ? Date.parse(k.expiresAt) : null),
};

const columns: SortColumn<Column>[] = [
  { key: 'name', label: 'Name' },
  { key: 'hint', label: 'Hint' },
  { key: 'requests', label: 'Requests', align: 'right' },
  { key: 'tokens', label: 'Tokens', align: 'right' },
  { key: 'coins', label: 'Coins', align: 'right' },
  { key: 'lastUsed', label: 'Last Used' },
  { key: 'expires', label: 'Expires' },
];

const DAY_MS = 24 * 3600 * 1000;
/** Keys this close to their expiry are highlighted (the API's KEY_EXPIRING notice comes as close). */
const EXPIRING_WITHIN_MS = 7 * DAY_MS;

/** Where an active key stands with its expiry at `now`: never, later, soon (within 7 days, with the words to say so) or past. */
function expiryOf(
  expiresAt: string | null,
  now: number,
): { state: 'never' | 'later' } | { state: 'soon'; label: string } | { state: 'expired' } {
  if (!expiresAt) return { state: 'never' };
  const left = Date.parse(expiresAt) - now;
  if (left <= 0) return { state: 'expired' };
  if (left > EXPIRING_WITHIN_MS) return { state: 'later' };
  if (left < DAY_MS) return { state: 'soon', label: 'Expires within a day' };
  // The nearest whole day: a key made to last 7 days says 7 the moment it is made, not 6.
  const days = Math.round(left / DAY_MS);
  return { state: 'soon', label: `Expires in ${days} day${days === 1 ? '' : 's'}` };
}

/** The expiry date, or Never; for an active key, Expired once past and a warning in words within 7 days. */
function Expiry({ expiresAt, active, now }: { expiresAt: string | null; active: boolean; now: number }) {
  // A revoked key's expiry no longer matters: its date only.
  const expiry = active ? expiryOf(expiresAt, now) : null;
  return (
    <>
      {/* The day keeps the column narrow; the moment is in the tooltip and the datetime attribute. */}
      {expiresAt ? (
        <time dateTime={expiresAt} title={formatDateTime(expiresAt)}>
          {formatDate(expiresAt)}
        </time>
      ) : (
        'Never'
      )}
      {expiry?.state === 'expired' && (
        <>
          {' '}
          <Badge tone="red">Expired</Badge>
        </>
      )}
      {expiry?.state === 'soon' && (
        <>
          {' '}
          <Badge tone="amber">{expiry.label}</Badge>
        </>
      )}
    </>
  );
}

export function ApiKeysTable(props: {
  apiKeys: readonly FragmentType<typeof ApiKeysTable_ApiKeyFragment>[];
  canRevoke: boolean;
  onRevoke: (key: { id: string; name: string; hint: string }) => void;
  emptyText: string;
}) {
  const keys = getFragmentData(ApiKeysTable_ApiKeyFragment, props.apiKeys);
  const { sorted, sort, toggle } = useSortedRows(keys, accessors, { key: 'name', direction: 'asc' });
  // Counters not kept live while Lumen is out of reach are shown as such (src/connection).
  const { stale } = useConnection();
  // Expiry is judged when the table is drawn, which every change of the keys does.
  const now = Date.now();
  return (
    <div className="table-wrap" data-stale={stale || undefined}>
      <table className="table">
        <thead>
          <tr>
            <SortHeaders columns={columns} sort={sort} onSort={toggle} />
            <th scope="col" className="actions">
              Actions
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && <EmptyRow colSpan={8}>{props.emptyText}</EmptyRow>}
          {sorted.map((key) => (
            <tr
              key={key.id}
              className={!key.active ? 'row-muted' : expiryOf(key.expiresAt, now).state === 'soon' ? 'row-expiring' : undefined}
            >
              <td data-label="Name">
                <Truncated text={key.name} className="key-name" />
                {!key.active && (
                  <>
                    {' '}
                    <Badge tone="gray">Revoked</Badge>
                  </>
                )}
                <KeyRateLimits limits={key.rateLimits} />
              </td>
              <td data-label="Hint">
                <code>{key.hint}</code>
              </td>
              <td data-label="Requests" className="num">
                {formatInt(key.requests)}
              </td>
              <td data-label="Tokens" className="num">
                {formatInt(key.totalTokens)}
              </td>
              <td data-label="Coins" className="num">
                {formatCoins(key.coinsSpent)}
              </td>
              <td data-label="Last Used">{formatDateTime(key.lastUsedAt)}</td>
              <td data-label="Expires">
                <Expiry expiresAt={key.expiresAt} active={key.active} now={now} />
              </td>
              <td className="actions">
                {key.active ? (
                  props.canRevoke && (
                    <RowDangerButton
                      label={`Revoke ${key.name}`}
                      onClick={() => props.onRevoke({ id: key.id, name: key.name, hint: key.hint })}
                    >
                      Revoke
                    </RowDangerButton>
                  )
                ) : (
                  <span className="muted">Revoked {formatDateTime(key.revokedAt, '')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
