import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { Badge, EmptyRow, RowDangerButton } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { useSortedRows } from '../../lib/sort';
import { Truncated } from '../../components/Truncated';

export const AccessTokensTable_AccessTokenFragment = graphql(`
  fragment AccessTokensTable_AccessTokenFragment on AccessToken {
    id
    name
    hint
    createdAt
    lastUsedAt
    expiresAt
    current
  }
`);

type AccessTokenRow = ResultOf<typeof AccessTokensTable_AccessTokenFragment>;
type Column = 'name' | 'hint' | 'created' | 'lastUsed' | 'expires';

const time = (iso: string | null) => (iso ? Date.parse(iso) : null);

const accessors: Record<Column, (t: AccessTokenRow) => string | number | null> = {
  name: (t) => t.name,
  hint: (t) => t.hint,
  created: (t) => time(t.createdAt),
  lastUsed: (t) => time(t.lastUsedAt),
  expires: (t) => time(t.expiresAt),
};

const columns: SortColumn<Column>[] = [
  { key: 'name', label: 'Name' },
  { key: 'hint', label: 'Hint' },
  { key: 'created', label: 'Created' },
  { key: 'lastUsed', label: 'Last Used' },
  { key: 'expires', label: 'Expires' },
];

export function isExpired(token: { expiresAt: string | null }, now = Date.now()): boolean {
  return token.expiresAt !== null && Date.parse(token.expiresAt) <= now;
}

/** The viewer's admin-API tokens: never the secret, only its hint. */
export function AccessTokensTable(props: {
  accessTokens: readonly FragmentType<typeof AccessTokensTable_AccessTokenFragment>[];
  onRevoke: (token: { id: string; name: string; hint: string; current: boolean }) => void;
}) {
  const tokens = getFragmentData(AccessTokensTable_AccessTokenFragment, props.accessTokens);
  const { sorted, sort, toggle } = useSortedRows(tokens, accessors, { key: 'created', direction: 'desc' });
  const now = Date.now();
  return (
    <div className="table-wrap">
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
          {sorted.length === 0 && <EmptyRow colSpan={6}>No admin-API tokens.</EmptyRow>}
          {sorted.map((token) => {
            const expired = isExpired(token, now);
            return (
              <tr key={token.id} className={expired ? 'row-muted' : undefined}>
                <td data-label="Name">
                  <Truncated text={token.name} className="key-name" />
                  {token.current && (
                    <>
                      {' '}
                      <Badge tone="blue" title="This request was made with this token">
                        This token
                      </Badge>
                    </>
                  )}
                  {expired && (
                    <>
                      {' '}
                      <Badge tone="red">Expired</Badge>
                    </>
                  )}
                </td>
                <td data-label="Hint">
                  <code>{token.hint}</code>
                </td>
                <td data-label="Created">{formatDateTime(token.createdAt)}</td>
                <td data-label="Last Used">{formatDateTime(token.lastUsedAt)}</td>
                <td data-label="Expires">{formatDateTime(token.expiresAt, 'Never')}</td>
                <td className="actions">
                  <RowDangerButton
                    label={`Revoke ${token.name}`}
                    onClick={() => props.onRevoke({ id: token.id, name: token.name, hint: token.hint, current: token.current })}
                  >
                    Revoke
                  </RowDangerButton>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
