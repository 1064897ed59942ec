import { useId, useRef, useState, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { AccessRule, ModelKind } from '../../gql/graphql';
import type { ResultOf } from '../../lib/types';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { FormField } from '../../components/FormField';
import { FormFooter } from '../../components/FormFooter';
import { fieldErrors } from '../../lib/fieldErrors';
import { ConsentNotice } from './ConsentNotice';
import {
  changedFields,
  EMPTY_MODEL,
  KIND_HELP,
  modelInput,
  PROVIDER_HELP,
  PROVIDERS,
  UPSTREAM_KEY_PREFIX,
  UPSTREAM_KEY_RULE,
  usesUpstream,
  validateModel,
  type ModelField,
  type ModelFieldErrors,
  type ModelFormValues,
} from './modelInput';

/** Everything the form edits, as the API has it now. */
export const ModelFormDialog_ModelFragment = graphql(`
  fragment ModelFormDialog_ModelFragment on Model {
    id
    name
    provider
    kind
    upstreamModel
    upstreamBaseUrl
    upstreamKeyEnv
    inputCoinsPerMillion
    outputCoinsPerMillion
    maxOutputTokens
    defaultAccess
    needsConsent
    consentNotice
  }
`);

const CreateModelMutation = graphql(`
  mutation ModelFormDialog_CreateModelMutation($input: CreateModelInput!) {
    createModel(input: $input) {
      model {
        id
        name
        ...ModelFormDialog_ModelFragment
      }
    }
  }
`);

const UpdateModelMutation = graphql(`
  mutation ModelFormDialog_UpdateModelMutation($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model {
        id
        name
        status
        statusReason
        ...ModelFormDialog_ModelFragment
      }
    }
  }
`);

type ModelData = ResultOf<typeof ModelFormDialog_ModelFragment>;

function valuesOf(model: ModelData): ModelFormValues {
  return {
    name: model.name,
    provider: model.provider,
    kind: model.kind,
    upstreamModel: model.upstreamModel,
    upstreamBaseUrl: model.upstreamBaseUrl ?? '',
    upstreamKeyEnv: model.upstreamKeyEnv ?? '',
    inputCoinsPerMillion: model.inputCoinsPerMillion,
    outputCoinsPerMillion: model.outputCoinsPerMillion,
    maxOutputTokens: String(model.maxOutputTokens),
    defaultAccess: model.defaultAccess,
    needsConsent: model.needsConsent,
    consentNotice: model.consentNotice ?? '',
  };
}

const FIELDS = Object.keys(EMPTY_MODEL) as ModelField[];

/** The order the fields appear in: the first one with a problem gets the focus. */
const FIELD_ORDER: ModelField[] = [
  'name',
  'provider',
  'kind',
  'upstreamModel',
  'upstreamBaseUrl',
  'upstreamKeyEnv',
  'inputCoinsPerMillion',
  'outputCoinsPerMillion',
  'maxOutputTokens',
  'defaultAccess',
  'needsConsent',
  'consentNotice',
];

/**
 * + New Model and Edit: one form. Every field is checked as the API checks it before
 * anything is sent; what the API still refuses is shown beside its field. Nothing typed is
 * lost on an error.
 */
export function ModelFormDialog(props: {
  /** Edit this model; create a new one without. */
  model?: FragmentType<typeof ModelFormDialog_ModelFragment> | null;
  onSaved: (model: { id: string; name: string }, created: boolean) => void;
  onClose: () => void;
}) {
  const existing = props.model ? getFragmentData(ModelFormDialog_ModelFragment, props.model) : null;
  const initial = useRef(existing ? valuesOf(existing) : EMPTY_MODEL);
  const [values, setValues] = useState<ModelFormValues>(initial.current);
  const [errors, setErrors] = useState<ModelFieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [, createModel] = useMutation(CreateModelMutation);
  const [, updateModel] = useMutation(UpdateModelMutation);
  const id = useId();

  const set = <K extends ModelField>(field: K, value: ModelFormValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    // A fixed field loses its message as soon as it is fixed (checked again on Save).
    setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));
  };

  const focusFirstProblem = (problems: ModelFieldErrors) => {
    const first = FIELD_ORDER.find((f) => problems[f]);
    if (first) document.getElementById(`${id}-${first}`)?.focus();
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setFormError(null);
    const problems = validateModel(values);
    setErrors(problems);
    if (Object.values(problems).some(Boolean)) return focusFirstProblem(problems);
    setSaving(true);
    // An edit sends only what changed: omitted fields stay as they are.
    const result = existing
      ? await updateModel({ input: { modelId: existing.id, ...changedFields(initial.current, values) } }).then((r) => ({
          error: r.error,
          model: r.data?.updateModel.model ?? null,
        }))
      : await createModel({ input: modelInput(values) }).then((r) => ({ error: r.error, model: r.data?.createModel.model ?? null }));
    setSaving(false);
    if (result.error || !result.model) {
      const { byField, other } = fieldErrors(result.error, FIELDS);
      setErrors(byField);
      setFormError(other ?? (Object.keys(byField).length ? null : 'The model was not saved. Try again.'));
      focusFirstProblem(byField);
      return;
    }
    props.onSaved(result.model, !existing);
  };

  const helpFor: Partial<Record<ModelField, ReactNode>> = {
    name: 'What clients pass as "model" to /v1. Letters, digits and . _ : / @ -.',
    provider: PROVIDER_HELP,
    kind: KIND_HELP,
    upstreamModel: 'The name the upstream knows the model by.',
    upstreamBaseUrl: 'The OpenAI-compatible API’s base URL, such as https://api.openai.com/v1 or http://vllm.internal:8000/v1.',
    upstreamKeyEnv: UPSTREAM_KEY_RULE,
    maxOutputTokens: 'The most tokens one answer may have; a request is reserved for this many.',
    consentNotice: 'Shown in the consent dialog, exactly as written (line breaks kept).',
  };
  return (
    <Dialog
      title={existing ? `Edit ${existing.name}` : 'New Model'}
      description={existing ? 'Changes apply to requests admitted after you save.' : 'A model clients can call through /v1.'}
      onClose={props.onClose}
      size="large"
    >
      <form className="form model-form" onSubmit={submit} noValidate>
        <div className="field-row">
          <FormField id={`${id}-name`} label="Name" error={errors.name} help={helpFor.name}>
            {(control) => (
              <input
                {...control}
                data-autofocus
                value={values.name}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('name', e.target.value)}
              />
            )}
          </FormField>
          <FormField id={`${id}-provider`} label="Provider" error={errors.provider} help={helpFor.provider}>
            {(control) => (
              <select {...control} value={values.provider} onChange={(e) => set('provider', e.target.value)}>
                {PROVIDERS.map((provider) => (
                  <option key={provider} value={provider}>
                    {provider}
                  </option>
                ))}
              </select>
            )}
          </FormField>
        </div>
        <div className="field-row">
          <FormField id={`${id}-kind`} label="Kind" error={errors.kind} help={helpFor.kind}>
            {(control) => (
              <select {...control} value={values.kind} onChange={(e) => set('kind', e.target.value as ModelKind)}>
                <option value="CHAT">Chat (and completions)</option>
                <option value="EMBEDDING">Embeddings</option>
              </select>
            )}
          </FormField>
          <FormField id={`${id}-upstreamModel`} label="Upstream model" error={errors.upstreamModel} help={helpFor.upstreamModel}>
            {(control) => (
              <input
                {...control}
                value={values.upstreamModel}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('upstreamModel', e.target.value)}
              />
            )}
          </FormField>
        </div>
        {usesUpstream(values) && (
          <>
            <FormField id={`${id}-upstreamBaseUrl`} label="Upstream URL" error={errors.upstreamBaseUrl} help={helpFor.upstreamBaseUrl}>
              {(control) => (
                <input
                  {...control}
                  inputMode="url"
                  value={values.upstreamBaseUrl}
                  placeholder="https://api.openai.com/v1"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => set('upstreamBaseUrl', e.target.value)}
                />
              )}
            </FormField>
            <FormField id={`${id}-upstreamKeyEnv`} label="Key variable name" error={errors.upstreamKeyEnv} help={helpFor.upstreamKeyEnv}>
              {(control) => (
                <input
                  {...control}
                  value={values.upstreamKeyEnv}
                  placeholder={`${UPSTREAM_KEY_PREFIX}OPENAI`}
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(e) => set('upstreamKeyEnv', e.target.value)}
                />
              )}
            </FormField>
          </>
        )}
        <div className="field-row">
          <FormField
            id={`${id}-inputCoinsPerMillion`}
            label="Input price (coins per 1M tokens)"
            error={errors.inputCoinsPerMillion}
            help={helpFor.inputCoinsPerMillion}
          >
            {(control) => (
              <input
                {...control}
                inputMode="decimal"
                value={values.inputCoinsPerMillion}
                placeholder="0.5"
                onChange={(e) => set('inputCoinsPerMillion', e.target.value)}
              />
            )}
          </FormField>
          <FormField
            id={`${id}-outputCoinsPerMillion`}
            label="Output price (coins per 1M tokens)"
            error={errors.outputCoinsPerMillion}
            help={helpFor.outputCoinsPerMillion}
          >
            {(control) => (
              <input
                {...control}
                inputMode="decimal"
                value={values.outputCoinsPerMillion}
                placeholder="1.5"
                onChange={(e) => set('outputCoinsPerMillion', e.target.value)}
              />
            )}
          </FormField>
        </div>
        <div className="field-row">
          <FormField
            id={`${id}-maxOutputTokens`}
            label="Output limit (tokens)"
            error={errors.maxOutputTokens}
            help={helpFor.maxOutputTokens}
          >
            {(control) => (
              <input
                {...control}
                inputMode="numeric"
                value={values.maxOutputTokens}
                onChange={(e) => set('maxOutputTokens', e.target.value)}
              />
            )}
          </FormField>
          <FormField id={`${id}-defaultAccess`} label="Default access" error={errors.defaultAccess} help={helpFor.defaultAccess}>
            {(control) => (
              <select {...control} value={values.defaultAccess} onChange={(e) => set('defaultAccess', e.target.value as AccessRule)}>
                <option value="ALLOWED">Allowed for every client</option>
                <option value="BLOCKED">Blocked unless a client is allowed</option>
              </select>
            )}
          </FormField>
        </div>
        <label className="toggle">
          <input
            type="checkbox"
            id={`${id}-needsConsent`}
            checked={values.needsConsent}
            onChange={(e) => set('needsConsent', e.target.checked)}
          />
          <span>Needs consent: people must agree to a notice before their keys may use it</span>
        </label>
        <FormField
          id={`${id}-consentNotice`}
          label={`Consent notice${values.needsConsent ? '' : ' (optional)'}`}
          error={errors.consentNotice}
          help={helpFor.consentNotice}
        >
          {(control) => (
            <textarea {...control} rows={4} value={values.consentNotice} onChange={(e) => set('consentNotice', e.target.value)} />
          )}
        </FormField>
        {values.needsConsent && values.consentNotice.trim() && (
          <div className="field">
            <span className="field-label">How people will see it</span>
            <ConsentNotice notice={values.consentNotice} />
          </div>
        )}
        {formError && <ErrorMessage>{formError}</ErrorMessage>}
        <FormFooter onCancel={props.onClose} busy={saving} label={existing ? 'Save changes' : 'Create model'} busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
