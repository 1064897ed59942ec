import { useId, useRef, useState, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { AccessRule } from '../../gql/graphql';
import type { ResultOf } from '../../lib/types';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { fieldErrors } from '../../lib/fieldErrors';
import { ConsentNotice } from './ConsentNotice';
import {
  changedFields,
  EMPTY_MODEL,
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
    upstreamModel: 'The name the upstream knows the model by.',
    upstreamBaseUrl: 'The OpenAI-compatible API’s base URL, such as https://api.openai.com/v1 or http://vllm.internal:8000/v1.',
    upstreamKeyEnv: UPSTREAM_KEY_RULE,
    maxOutputTokens: 'The most tokens one answer may have; a request is reserved for this many.',
    consentNotice: 'Shown in the consent dialog, exactly as written (line breaks kept).',
  };
  const field = (name: ModelField) => ({
    id: `${id}-${name}`,
    'aria-invalid': errors[name] ? (true as const) : undefined,
    'aria-describedby':
      [errors[name] ? `${id}-${name}-error` : null, helpFor[name] ? `${id}-${name}-help` : null].filter(Boolean).join(' ') || undefined,
  });
  const message = (name: ModelField) => (
    <>
      {helpFor[name] && (
        <p id={`${id}-${name}-help`} className="field-help">
          {helpFor[name]}
        </p>
      )}
      {errors[name] && (
        <p id={`${id}-${name}-error`} className="field-error">
          {errors[name]}
        </p>
      )}
    </>
  );

  return (
    <Dialog
      title={existing ? `Edit ${existing.name}` : 'New Model'}
      description={existing ? 'Changes apply to requests admitted after you save.' : 'A model clients can call through /v1.'}
      onClose={props.onClose}
      size="large"
    >
      <form className="form model-form" onSubmit={submit} noValidate>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              {...field('name')}
              data-autofocus
              value={values.name}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => set('name', e.target.value)}
            />
            {message('name')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-provider`}>Provider</label>
            <select {...field('provider')} value={values.provider} onChange={(e) => set('provider', e.target.value)}>
              {PROVIDERS.map((provider) => (
                <option key={provider} value={provider}>
                  {provider}
                </option>
              ))}
            </select>
            {message('provider')}
          </div>
        </div>
        <div className="field">
          <label htmlFor={`${id}-upstreamModel`}>Upstream model</label>
          <input
            {...field('upstreamModel')}
            value={values.upstreamModel}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set('upstreamModel', e.target.value)}
          />
          {message('upstreamModel')}
        </div>
        {usesUpstream(values) && (
          <>
            <div className="field">
              <label htmlFor={`${id}-upstreamBaseUrl`}>Upstream URL</label>
              <input
                {...field('upstreamBaseUrl')}
                inputMode="url"
                value={values.upstreamBaseUrl}
                placeholder="https://api.openai.com/v1"
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('upstreamBaseUrl', e.target.value)}
              />
              {message('upstreamBaseUrl')}
            </div>
            <div className="field">
              <label htmlFor={`${id}-upstreamKeyEnv`}>Key variable name</label>
              <input
                {...field('upstreamKeyEnv')}
                value={values.upstreamKeyEnv}
                placeholder={`${UPSTREAM_KEY_PREFIX}OPENAI`}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => set('upstreamKeyEnv', e.target.value)}
              />
              {message('upstreamKeyEnv')}
            </div>
          </>
        )}
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-inputCoinsPerMillion`}>Input price (coins per 1M tokens)</label>
            <input
              {...field('inputCoinsPerMillion')}
              inputMode="decimal"
              value={values.inputCoinsPerMillion}
              placeholder="0.5"
              onChange={(e) => set('inputCoinsPerMillion', e.target.value)}
            />
            {message('inputCoinsPerMillion')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-outputCoinsPerMillion`}>Output price (coins per 1M tokens)</label>
            <input
              {...field('outputCoinsPerMillion')}
              inputMode="decimal"
              value={values.outputCoinsPerMillion}
              placeholder="1.5"
              onChange={(e) => set('outputCoinsPerMillion', e.target.value)}
            />
            {message('outputCoinsPerMillion')}
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-maxOutputTokens`}>Output limit (tokens)</label>
            <input
              {...field('maxOutputTokens')}
              inputMode="numeric"
              value={values.maxOutputTokens}
              onChange={(e) => set('maxOutputTokens', e.target.value)}
            />
            {message('maxOutputTokens')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-defaultAccess`}>Default access</label>
            <select
              {...field('defaultAccess')}
              value={values.defaultAccess}
              onChange={(e) => set('defaultAccess', e.target.value as AccessRule)}
            >
              <option value="ALLOWED">Allowed for every client</option>
              <option value="BLOCKED">Blocked unless a client is allowed</option>
            </select>
            {message('defaultAccess')}
          </div>
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
        <div className="field">
          <label htmlFor={`${id}-consentNotice`}>Consent notice{values.needsConsent ? '' : ' (optional)'}</label>
          <textarea
            {...field('consentNotice')}
            rows={4}
            value={values.consentNotice}
            onChange={(e) => set('consentNotice', e.target.value)}
          />
          {message('consentNotice')}
        </div>
        {values.needsConsent && values.consentNotice.trim() && (
          <div className="field">
            <span className="field-label">How people will see it</span>
            <ConsentNotice notice={values.consentNotice} />
          </div>
        )}
        {formError && <ErrorMessage>{formError}</ErrorMessage>}
        <div className="dialog-footer">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : existing ? 'Save changes' : 'Create model'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
