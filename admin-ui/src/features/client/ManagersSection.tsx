import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { useAdminPermissions } from '../../components/AdminsOnly';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ActionsHeader, EmptyRow, RowDangerButton, SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { userPath } from '../users/paths';
import { AddManagerDialog } from './AddManagerDialog';

export const ManagersSection_ClientFragment = graphql(`
  fragment ManagersSection_ClientFragment on Client {
    id
    name
    managers {
      addedAt
      user {
        id
        name
        email
      }
    }
    viewerCan {
      manageManagers
    }
  }
`);

const RemoveClientManagerMutation = graphql(`
  mutation ManagersSection_RemoveClientManagerMutation($input: RemoveClientManagerInput!) {
    removeClientManager(input: $input) {
      client {
        id
        managers {
          addedAt
          user {
            id
          }
        }
      }
    }
  }
`);

export function ManagersSection(props: { client: FragmentType<typeof ManagersSection_ClientFragment> }) {
  const client = getFragmentData(ManagersSection_ClientFragment, props.client);
  const canManage = client.viewerCan.manageManagers;
  // Admins who manage users reach a manager's page from their name.
  const linkToUsers = useAdminPermissions().can.manageUsers;
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<{ id: string; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, removeManager] = useMutation(RemoveClientManagerMutation);

  return (
    <section className="section" aria-labelledby="managers-heading">
      <div className="section-header">
        <h2 id="managers-heading">Managers</h2>
        {canManage && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setNotice(null);
              setAdding(true);
            }}
          >
            + Add Manager
          </button>
        )}
      </div>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Added</th>
              {canManage && <ActionsHeader />}
            </tr>
          </thead>
          <tbody>
            {client.managers.length === 0 && <EmptyRow colSpan={canManage ? 4 : 3}>No managers assigned.</EmptyRow>}
            {client.managers.map((m) => (
              <tr key={m.user.id}>
                <td data-label="Name">{linkToUsers ? <Link to={userPath(m.user.id)}>{m.user.name}</Link> : m.user.name}</td>
                <td data-label="Email">
                  <a href={`mailto:${m.user.email}`}>{m.user.email}</a>
                </td>
                <td data-label="Added">{formatDate(m.addedAt)}</td>
                {canManage && (
                  <td className="actions">
                    <RowDangerButton
                      label={`Remove ${m.user.name}`}
                      onClick={() => {
                        setNotice(null);
                        setRemoving({ id: m.user.id, name: m.user.name });
                      }}
                    >
                      Remove
                    </RowDangerButton>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {adding && (
        <AddManagerDialog
          clientId={client.id}
          clientName={client.name}
          existingManagerIds={client.managers.map((m) => m.user.id)}
          onClose={() => setAdding(false)}
          onAdded={(name) => setNotice(`${name} is now a manager of ${client.name}.`)}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Remove manager"
          danger
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            const result = await removeManager({ input: { clientId: client.id, userId: removing.id } });
            if (result.error) return errorMessage(result.error);
            setNotice(`${removing.name} is no longer a manager of ${client.name}.`);
            return null;
          }}
        >
          <p>
            {removing.name} will no longer see {client.name} or manage its API keys. Keys they created keep working.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
