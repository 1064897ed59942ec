import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { Badge, EmptyRow, RowDangerButton } from '../../components/ui';
import { coinsToNumber, formatCoins, formatDateTime, formatInt } from '../../lib/format';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { useSortedRows } from '../../lib/sort';
import { Truncated } from '../../components/Truncated';
import { useConnection } from '../../connection/useConnection';

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
  }
`);

type ApiKeyRow = ResultOf<typeof ApiKeysTable_ApiKeyFragment>;
type Column = 'name' | 'hint' | 'requests' | 'tokens' | 'coins' | 'lastUsed';

const accessors: Record<Column, (k: ApiKeyRow) => string | number | null> = {
  name: (k) => k.name,
  hint: (k) => k.hint,
  requests: (k) => Number(k.requests),
  tokens: (k) => Number(k.totalTokens),
  coins: (k) => coinsToNumber(k.coinsSpent),
  lastUsed: (k) => (k.lastUsedAt ? Date.parse(k.lastUsedAt) : null),
};

const columns: SortColumn<Column>[] = [
  { key: 'name', label: 'Name' },
  { key: 'hint', label: 'Hint' },
  { key: 'requests', label: 'Requests', align: 'right' },
  { key: 'tokens', label: 'Tokens', align: 'right' },
  { key: 'coins', label: 'Coins', align: 'right' },
  { key: 'lastUsed', label: 'Last Used' },
];

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
          {sorted.length === 0 && <EmptyRow colSpan={7}>{props.emptyText}</EmptyRow>}
          {sorted.map((key) => (
            <tr key={key.id} className={key.active ? undefined : 'row-muted'}>
              <td data-label="Name">
                <Truncated text={key.name} className="key-name" />
                {!key.active && (
                  <>
                    {' '}
                    <Badge tone="gray">Revoked</Badge>
                  </>
                )}
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
