import { Link } from 'react-router';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { EmptyRow, StatusBadge } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { clientPath } from '../../lib/format';

export const UserClientsSection_UserFragment = graphql(`
  fragment UserClientsSection_UserFragment on User {
    name
    managedClients {
      id
      name
      active
    }
  }
`);

/** The clients this user manages, each linking to its page. */
export function UserClientsSection(props: { user: FragmentType<typeof UserClientsSection_UserFragment> }) {
  const user = getFragmentData(UserClientsSection_UserFragment, props.user);
  return (
    <section className="section" aria-labelledby="user-clients-heading">
      <div className="section-header">
        <h2 id="user-clients-heading">Clients</h2>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {user.managedClients.length === 0 && (
              <EmptyRow colSpan={2}>{user.name} manages no clients. Add them as a manager on a client’s page.</EmptyRow>
            )}
            {user.managedClients.map((client) => (
              <tr key={client.id}>
                <th scope="row" data-label="Name" className="cell-strong">
                  <Link to={clientPath(client.id)}>
                    <Truncated text={client.name} />
                  </Link>
                </th>
                <td data-label="Status">
                  <StatusBadge active={client.active} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
