import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { AdminsOnlyGate, useAdminPermissions } from '../../components/AdminsOnly';
import { DetailHeader } from '../../components/DetailHeader';
import { NotFound } from '../../components/NotFound';
import { ErrorMessage, Spinner, SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { ClientsWithAccess } from './ClientsWithAccess';
import { ModelFormDialog } from './ModelFormDialog';
import { ModelHealthBadge } from './ModelHealth';
import { ModelSettings } from './ModelSettings';
import { SetModelDisabledDialog } from './SetModelDisabledDialog';
import { ModelUsageChart } from '../usage/ModelUsageChart';

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
      <NotFound
        title="Model not found"
        text="No model has this address. It may have been mistyped."
        back={{ to: '/models', label: 'Back to models' }}
      />
    );
  }

  return (
    <div className="page">
      <DetailHeader
        back={{ to: '/models', label: 'Models' }}
        title={model.name}
        meta={
          <>
            <ModelHealthBadge status={model.status} reason={model.statusReason} />
            {model.disabled && <span className="muted">Disabled: new requests are refused with 403 model_disabled.</span>}
          </>
        }
        actions={
          can.manageModels && (
            <>
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
            </>
          )
        }
      />
      {error && <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>}
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <ModelSettings model={model} />
      <ModelUsageChart modelId={model.id} modelName={model.name} />
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
