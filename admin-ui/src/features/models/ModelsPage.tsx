import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { AdminsOnlyGate, useAdminPermissions } from '../../components/AdminsOnly';
import { ErrorMessage, SearchBox, Spinner, SuccessMessage, Toggle } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { ModelFormDialog } from './ModelFormDialog';
import { ModelsTable, type ModelRow } from './ModelsTable';
import { SetModelDisabledDialog } from './SetModelDisabledDialog';

const ModelsQuery = graphql(`
  query ModelsPage_ModelsQuery {
    models {
      id
      name
      provider
      upstreamModel
      disabled
      ...ModelsTable_ModelFragment
      ...ModelFormDialog_ModelFragment
    }
  }
`);

/** /models: admins only; anyone else who opens it gets the Admins only page. */
export function ModelsPage() {
  useEffect(() => {
    document.title = 'Models · Lumen';
  }, []);
  return (
    <AdminsOnlyGate permission="manageModels" page="Models">
      <ModelsList />
    </AdminsOnlyGate>
  );
}

function ModelsList() {
  const { can } = useAdminPermissions();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ModelsQuery });
  const [search, setSearch] = useState('');
  const [showDisabled, setShowDisabled] = useState(false);
  const [editing, setEditing] = useState<'new' | ModelRow | null>(null);
  const [toggling, setToggling] = useState<{ model: ModelRow; disabled: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const models = data?.models;

  const needle = search.trim().toLowerCase();
  const visible = useMemo(
    () =>
      (models ?? []).filter(
        (m) =>
          (showDisabled || !m.disabled) &&
          (!needle || [m.name, m.provider, m.upstreamModel].some((text) => text.toLowerCase().includes(needle))),
      ),
    [models, showDisabled, needle],
  );
  const disabledCount = models?.filter((m) => m.disabled).length ?? 0;
  const editedModel = editing && editing !== 'new' ? models?.find((m) => m.id === editing.id) : null;

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title-row">
          <h1>Models</h1>
          {can.createModel && (
            <div className="page-actions">
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setNotice(null);
                  setEditing('new');
                }}
              >
                + New Model
              </button>
            </div>
          )}
        </div>
        <p className="muted">The models clients can call through /v1, their prices and their health.</p>
      </header>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <section className="section" aria-label="Model list">
        <div className="table-toolbar">
          <Toggle
            label={`Show disabled${disabledCount > 0 ? ` (${disabledCount})` : ''}`}
            checked={showDisabled}
            onChange={setShowDisabled}
          />
          <span className="muted" aria-live="polite">
            {models ? `${visible.length} of ${models.length} model${models.length === 1 ? '' : 's'}` : fetching ? 'Loading…' : ''}
          </span>
          <SearchBox label="Search models by name or provider" placeholder="Search models…" value={search} onChange={setSearch} />
        </div>
        {error && !models ? (
          <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
        ) : !models ? (
          <Spinner label="Loading models…" />
        ) : (
          <ModelsTable
            models={visible}
            emptyText={
              models.length === 0
                ? 'No models yet. Create the first one with + New Model; the echo provider needs no upstream to try Lumen out.'
                : needle
                  ? `No model matches “${search.trim()}”${!showDisabled && disabledCount > 0 ? ' (disabled models are hidden)' : ''}.`
                  : 'Every model is disabled. Turn on Show disabled to see them.'
            }
            onEdit={
              can.manageModels
                ? (model) => {
                    setNotice(null);
                    setEditing(model);
                  }
                : undefined
            }
            onSetDisabled={
              can.manageModels
                ? (model, disabled) => {
                    setNotice(null);
                    setToggling({ model, disabled });
                  }
                : undefined
            }
          />
        )}
      </section>
      {editing && (
        <ModelFormDialog
          model={editing === 'new' ? null : editedModel}
          onClose={() => setEditing(null)}
          onSaved={(model, created) => {
            setEditing(null);
            setNotice(created ? `${model.name} was created. Clients can call it as "${model.name}".` : `${model.name} was saved.`);
          }}
        />
      )}
      {toggling && (
        <SetModelDisabledDialog model={toggling.model} disabled={toggling.disabled} onDone={setNotice} onClose={() => setToggling(null)} />
      )}
    </div>
  );
}
