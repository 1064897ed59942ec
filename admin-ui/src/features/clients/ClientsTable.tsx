import { Link } from 'react-router';
import { useSubscription } from 'urql';
import { graphql } from '../../gql';
import { EmptyRow, StatusBadge } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { useConnection } from '../../connection/useConnection';
import { clientPath, coinsToNumber, formatCoins, formatInt } from '../../lib/format';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { useSortedRows, type SortValue } from '../../lib/sort';

/** One row of the clients list (the fields ClientsPage_ClientsQuery selects). */
export interface ClientRow {
  id: string;
  name: string;
  active: boolean;
  usage: { requests: number; totalTokens: number; coinsSpent: string };
  coinPool: { state: string; balance?: string | null };
}

// Live, as on the client page: each event's figures go into the normalized cache
// (src/cache/ownerEvents.ts), and the list, which reads the same clients, with them.
const ClientUsageSubscription = graphql(`
  subscription ClientsTable_ClientUsageSubscription($clientId: ID!) {
    clientUsage(clientId: $clientId) {
      client {
        id
      }
      ...OwnerEvents_UsageEventFragment
    }
  }
`);

type Column = 'name' | 'status' | 'requests' | 'tokens' | 'coins' | 'pool';

const accessors: Record<Column, (row: ClientRow) => SortValue> = {
  name: (r) => r.name,
  status: (r) => (r.active ? 0 : 1),
  requests: (r) => Number(r.usage.requests),
  tokens: (r) => Number(r.usage.totalTokens),
  coins: (r) => coinsToNumber(r.usage.coinsSpent),
  // Unlimited above any balance; no pool at all last.
  pool: (r) =>
    r.coinPool.state === 'UNLIMITED' ? Number.MAX_VALUE : r.coinPool.state === 'LIMITED' ? coinsToNumber(r.coinPool.balance) : null,
};

const columns: SortColumn<Column>[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'requests', label: 'Requests', align: 'right' },
  { key: 'tokens', label: 'Tokens', align: 'right' },
  { key: 'coins', label: 'Coins spent', align: 'right' },
  { key: 'pool', label: 'Coin pool', align: 'right' },
];

function poolText(pool: ClientRow['coinPool']): string {
  if (pool.state === 'UNLIMITED') return 'Unlimited';
  if (pool.state === 'LIMITED') return formatCoins(pool.balance ?? '0');
  return 'Not configured';
}

/** The clients of one page of the list, sortable by every column, with live figures. */
export function ClientsTable({ clients, emptyText }: { clients: readonly ClientRow[]; emptyText: string }) {
  const { sorted, sort, toggle } = useSortedRows(clients, accessors, { key: 'name', direction: 'asc' });
  const { stale } = useConnection();
  return (
    <div className="table-wrap" data-stale={stale || undefined}>
      {clients.map((client) => (
        <LiveUsage key={client.id} clientId={client.id} />
      ))}
      <table className="table">
        <thead>
          <tr>
            <SortHeaders columns={columns} sort={sort} onSort={toggle} />
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && <EmptyRow colSpan={6}>{emptyText}</EmptyRow>}
          {sorted.map((client) => (
            <tr key={client.id}>
              <th scope="row" data-label="Name" className="cell-strong">
                <Link to={clientPath(client.id)}>
                  <Truncated text={client.name} />
                </Link>
              </th>
              <td data-label="Status">
                <StatusBadge active={client.active} />
              </td>
              <td data-label="Requests" className="num">
                {formatInt(client.usage.requests)}
              </td>
              <td data-label="Tokens" className="num">
                {formatInt(client.usage.totalTokens)}
              </td>
              <td data-label="Coins spent" className="num">
                {formatCoins(client.usage.coinsSpent)}
              </td>
              <td data-label="Coin pool" className="num">
                {poolText(client.coinPool)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Listens to one client's usage events (the cache does the rest). */
function LiveUsage({ clientId }: { clientId: string }) {
  useSubscription({ query: ClientUsageSubscription, variables: { clientId } });
  return null;
}
