import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { StatusBadge, SuccessMessage, WarningMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { EditClientDialog } from './EditClientDialog';

export const ClientHeader_ClientFragment = graphql(`
  fragment ClientHeader_ClientFragment on Client {
    id
    name
    active
    createdAt
    description
    viewerCan {
      setActive
      update
    }
  }
`);

const SetClientActiveMutation = graphql(`
  mutation ClientHeader_SetClientActiveMutation($input: SetClientActiveInput!) {
    setClientActive(input: $input) {
      client {
        id
        active
      }
    }
  }
`);

export function ClientHeader(props: { client: FragmentType<typeof ClientHeader_ClientFragment>; actions?: React.ReactNode }) {
  const client = getFragmentData(ClientHeader_ClientFragment, props.client);
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  // What the last activation or deactivation did; a deactivation is news to be wary of.
  const [done, setDone] = useState<{ text: string; warning: boolean } | null>(null);
  const [, setActive] = useMutation(SetClientActiveMutation);
  const next = !client.active;

  return (
    <header className="page-header">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/clients">← Clients</Link>
      </nav>
      <div className="page-title-row">
        <div>
          <h1>{client.name}</h1>
          <p className="title-meta">
            <StatusBadge active={client.active} />
            <span className="muted">Created {formatDateTime(client.createdAt)}</span>
          </p>
          {client.description && <p className="client-description wrap-anywhere">{client.description}</p>}
        </div>
        <div className="page-actions">
          {client.viewerCan.update && (
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
          {props.actions}
          {client.viewerCan.setActive && (
            <button
              type="button"
              className={`button ${client.active ? 'button-danger-outline' : 'button-primary'}`}
              onClick={() => {
                setDone(null);
                setConfirming(true);
              }}
            >
              {client.active ? 'Deactivate' : 'Activate'}
            </button>
          )}
        </div>
      </div>
      {done && (done.warning ? <WarningMessage>{done.text}</WarningMessage> : <SuccessMessage>{done.text}</SuccessMessage>)}
      {editing && <EditClientDialog client={client} onClose={() => setEditing(false)} />}
      {confirming && (
        <ConfirmDialog
          title={next ? `Activate ${client.name}?` : `Deactivate ${client.name}?`}
          confirmLabel={next ? 'Activate client' : 'Deactivate client'}
          danger={!next}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const result = await setActive({ input: { clientId: client.id, active: next } });
            if (result.error) return errorMessage(result.error);
            setDone(
              next
                ? { text: 'The client is active again; its API keys work.', warning: false }
                : { text: 'The client is deactivated; its API keys stop working.', warning: true },
            );
            return null;
          }}
        >
          {next ? (
            <p>Its API keys will work again, within the limits of its coin pool and model access.</p>
          ) : (
            <p>
              All of its API keys stop working immediately. Keys, managers and usage are kept, and you can activate the client again at any
              time.
            </p>
          )}
        </ConfirmDialog>
      )}
    </header>
  );
}
