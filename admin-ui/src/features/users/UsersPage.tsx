import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { ActionsHeader, Badge, EmptyRow, ErrorMessage, SearchBox, Spinner, StatusBadge, SuccessMessage } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { Pager } from '../../components/Pager';
import { errorMessage } from '../../lib/errors';
import { clientPath, formatDateTime } from '../../lib/format';
import { userPath } from './paths';
import { useDebounced } from '../../lib/hooks';
import { poolText } from './poolText';
import { NewUserDialog } from './NewUserDialog';
import { UserAdminActions } from './UserAdminActions';

const PAGE_SIZE = 25;
/** Managed clients named in a row; the rest are counted. */
const CLIENTS_SHOWN = 3;

const UsersQuery = graphql(`
  query UsersPage_UsersQuery($search: String, $first: Int, $after: String) {
    allUsers(search: $search, first: $first, after: $after, includeDeactivated: true) {
      edges {
        node {
          id
          name
          email
          isAdmin
          active
          lastSignInAt
          managedClients {
            id
            name
          }
          coinPool {
            state
            balance
          }
          ...UserAdminActions_UserFragment
        }
      }
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** Every user of the instance, for admins: role, status, clients, personal pool, and the admin actions. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const debounced = useDebounced(search.trim(), 250);
  // Forward-only relay pagination; the cursors seen so far let "Previous" go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<React.ReactNode>(null);

  const lastSearch = useRef(debounced);
  const searchChanged = useEffectEvent(() => setCursors([null]));
  useEffect(() => {
    if (lastSearch.current === debounced) return;
    lastSearch.current = debounced;
    searchChanged();
  }, [debounced]);
  useEffect(() => {
    document.title = 'Users · Lumen';
  }, []);

  const [{ data, fetching, error }, reexecute] = useQuery({
    query: UsersQuery,
    variables: { search: debounced || null, first: PAGE_SIZE, after },
  });
  const connection = data?.allUsers;

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title-row">
          <h1>Users</h1>
          <div className="page-actions">
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setNotice(null);
                setCreating(true);
              }}
            >
              + New User
            </button>
          </div>
        </div>
        <p className="muted">Everyone who can sign in to this Lumen instance: admins, and the managers of clients.</p>
      </header>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <section className="section" aria-label="User list">
        <div className="table-toolbar">
          <span className="muted" aria-live="polite">
            {fetching ? 'Loading…' : connection ? `${connection.totalCount} user${connection.totalCount === 1 ? '' : 's'}` : ''}
          </span>
          <SearchBox label="Search users by name or email" placeholder="Search users…" value={search} onChange={setSearch} />
        </div>
        {error && !connection ? (
          <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
        ) : !connection ? (
          <Spinner label="Loading users…" />
        ) : (
          <div className="table-wrap">
            <table className="table users-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Clients</th>
                  <th scope="col" className="num">
                    Personal pool
                  </th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {connection.edges.length === 0 && (
                  <EmptyRow colSpan={7}>{debounced ? `No user matches “${debounced}”.` : 'No users yet.'}</EmptyRow>
                )}
                {connection.edges.map(({ node: user }) => (
                  <tr key={user.id} className={user.active ? undefined : 'row-muted'}>
                    <th scope="row" data-label="Name" className="cell-strong">
                      <Link to={userPath(user.id)}>
                        <Truncated text={user.name} />
                      </Link>
                      <Truncated className="cell-sub" text={user.email} />
                    </th>
                    <td data-label="Role">{user.isAdmin ? <Badge tone="blue">Admin</Badge> : 'User'}</td>
                    <td data-label="Status">{user.active ? <StatusBadge active /> : <Badge tone="gray">Deactivated</Badge>}</td>
                    <td data-label="Last sign-in">{formatDateTime(user.lastSignInAt)}</td>
                    <td data-label="Clients">
                      <ManagedClients clients={user.managedClients} />
                    </td>
                    <td data-label="Personal pool" className="num">
                      {poolText(user.coinPool)}
                    </td>
                    <td className="actions">
                      <span className="row-actions">
                        <UserAdminActions user={user} compact onDone={setNotice} />
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {error && connection && (
          <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
        )}
        {connection && <Pager cursors={cursors} setCursors={setCursors} pageInfo={connection.pageInfo} />}
      </section>
      {creating && (
        <NewUserDialog
          onClose={() => setCreating(false)}
          onCreated={(user) =>
            setNotice(
              <>
                <Link to={userPath(user.id)}>{user.name}</Link> was added. They can sign in with a one-time link:{' '}
                <code>npm run lumen -- login-link --email {user.email}</code>
              </>,
            )
          }
        />
      )}
    </div>
  );
}

function ManagedClients({ clients }: { clients: readonly { id: string; name: string }[] }) {
  if (clients.length === 0) return <span className="muted">None</span>;
  const more = clients.length - CLIENTS_SHOWN;
  return (
    <span className="client-links">
      {clients.slice(0, CLIENTS_SHOWN).map((client, i) => (
        <span key={client.id}>
          {i > 0 && ', '}
          <Link to={clientPath(client.id)}>
            <Truncated text={client.name} />
          </Link>
        </span>
      ))}
      {more > 0 && <span className="muted"> and {more} more</span>}
    </span>
  );
}
