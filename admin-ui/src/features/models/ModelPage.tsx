import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { AdminsOnlyGate, useAdminPermissions } from '../../components/AdminsOnly';
import { ErrorMessage, Spinner, SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { ClientsWithAccess } from './ClientsWithAccess';
import { ModelFormDialog } from './ModelFormDialog';
import { ModelHealthBadge } from './ModelHealth';
import { ModelSettings } from './ModelSettings';
import { SetModelDisabledDialog } from './SetModelDisabledDialog';

const ModelQuery = graphql(`
  query ModelPage_ModelQuery($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Model {
        name
        disabled
        status
        statusReason
        ...ModelSettings_ModelFragment
        ...ModelFormDialog_ModelFragment
        ...ClientsWithAccess_ModelFragment
      }
    }
  }
`);

/** /models/<id>: admins only. */
export function ModelPage() {
  return (
    <AdminsOnlyGate permission="manageModels" page="Models">
      <ModelDetails />
    </AdminsOnlyGate>
  );
}

function ModelDetails() {
  const { id = '' } = useParams();
  const { can } = useAdminPermissions();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ModelQuery, variables: { id } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [editing, setEditing] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const model = data?.node?.__typename === 'Model' ? data.node : null;
  useEffect(() => {
    document.title = model ? `${model.name} · Models · Lumen` : 'Model · Lumen';
  }, [model]);

  if (!data && fetching) return <Spinner label="Loading model…" />;
  if (!data && error) return <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>;
  if (!model) {
    return (
      <div className="not-found">
        <h1>Model not found</h1>
        <p>No model has this address. It may have been mistyped.</p>
        <Link to="/models">Back to models</Link>
      </div>
    );
  }

  return (
    <div className="page">
      <header className="page-header">
        <nav className="breadcrumb" aria-label="Breadcrumb">
          <Link to="/models">← Models</Link>
        </nav>
        <div className="page-title-row">
          <div className="title-block">
            <h1 className="wrap-anywhere">{model.name}</h1>
            <p className="title-meta">
              <ModelHealthBadge status={model.status} reason={model.statusReason} />
              {model.disabled && <span className="muted">Disabled: new requests are refused with 403 model_disabled.</span>}
            </p>
          </div>
          {can.manageModels && (
            <div className="page-actions">
              <button
                type="button"
                className="button"
                onClick={() => {
                  setNotice(null);
                  setEditing(true);
                }}
              >
                Edit
              </button>
              <button
                type="button"
                className={`button ${model.disabled ? 'button-primary' : 'button-danger-outline'}`}
                onClick={() => {
                  setNotice(null);
                  setToggling(true);
                }}
              >
                {model.disabled ? 'Enable' : 'Disable'}
              </button>
            </div>
          )}
        </div>
      </header>
      {error && <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>}
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <ModelSettings model={model} />
      <ClientsWithAccess model={model} />
      {editing && (
        <ModelFormDialog
          model={model}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setNotice(`${saved.name} was saved.`);
          }}
        />
      )}
      {toggling && (
        <SetModelDisabledDialog model={model} disabled={!model.disabled} onDone={setNotice} onClose={() => setToggling(false)} />
      )}
    </div>
  );
}
