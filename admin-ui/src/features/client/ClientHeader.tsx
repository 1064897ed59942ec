import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { StatusBadge, SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';

export const ClientHeader_ClientFragment = graphql(`
  fragment ClientHeader_ClientFragment on Client {
    id
    name
    active
    createdAt
    viewerCan {
      setActive
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
  const [done, setDone] = useState<string | null>(null);
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
        </div>
        <div className="page-actions">
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
      {done && <SuccessMessage>{done}</SuccessMessage>}
      {confirming && (
        <ConfirmDialog
          title={next ? `Activate ${client.name}?` : `Deactivate ${client.name}?`}
          confirmLabel={next ? 'Activate client' : 'Deactivate client'}
          danger={!next}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const result = await setActive({ input: { clientId: client.id, active: next } });
            if (result.error) return errorMessage(result.error);
            setDone(next ? 'The client is active again; its API keys work.' : 'The client is deactivated; its API keys stop working.');
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
