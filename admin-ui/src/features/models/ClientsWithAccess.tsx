import { useId } from 'react';
import { Link } from 'react-router';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { Badge, EmptyRow, StatusBadge } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { clientPath } from '../../lib/format';

export const ClientsWithAccess_ModelFragment = graphql(`
  fragment ClientsWithAccess_ModelFragment on Model {
    id
    defaultAccess
    clientsWithAccess {
      rule
      client {
        id
        name
        active
      }
    }
  }
`);

/** The clients with an explicit rule for the model (the others follow its default access). */
export function ClientsWithAccess(props: { model: FragmentType<typeof ClientsWithAccess_ModelFragment> }) {
  const model = getFragmentData(ClientsWithAccess_ModelFragment, props.model);
  const headingId = useId();
  const rows = [...model.clientsWithAccess].sort((a, b) => a.client.name.localeCompare(b.client.name));
  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId}>Clients with rules</h2>
      </div>
      <p className="muted">
        Every other client follows the default ({model.defaultAccess === 'BLOCKED' ? 'blocked' : 'allowed'}). Rules are set on each client’s
        page, under Model Access.
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Rule</th>
              <th scope="col">Client status</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <EmptyRow colSpan={3}>No client has a rule of its own for this model.</EmptyRow>}
            {rows.map(({ client, rule }) => (
              <tr key={client.id}>
                <th scope="row" data-label="Client" className="cell-strong">
                  <Link to={clientPath(client.id)}>
                    <Truncated text={client.name} />
                  </Link>
                </th>
                <td data-label="Rule">{rule === 'BLOCKED' ? <Badge tone="red">Blocked</Badge> : <Badge tone="green">Allowed</Badge>}</td>
                <td data-label="Client status">
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
