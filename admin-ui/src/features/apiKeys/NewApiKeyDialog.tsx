import { useId, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';
import { ErrorMessage } from '../../components/ui';
import { FormFooter } from '../../components/FormFooter';

export type SaveKeyResult =
  | { ok: true; secret: string; name: string; hint: string }
  /** nameError: the API refused the name (too long, taken…); it goes beside the field. */
  | { ok: false; error: string | null; nameError?: string };

/**
 * Name the key → Save Key (the API creates it) → the secret is shown this once, with Copy
 * and a warning → Done. On an error the typed name stays, and a refused name is said beside it
 * (no maxLength: a long name is refused with the limit, never cut while typing).
 */
export function NewApiKeyDialog({
  ownerLabel,
  onSave,
  onClose,
}: {
  ownerLabel: string;
  /** Creates the key (the API generates the secret). */
  onSave: (name: string) => Promise<SaveKeyResult>;
  onClose: () => void;
}) {
  const nameId = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const [created, setCreated] = useState<{ secret: string; name: string; hint: string } | null>(null);
  const [fetching, setFetching] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    setError(null);
    if (!trimmed) {
      setNameError('Give the key a name, for example production, staging or ci-runner.');
      nameInput.current?.focus();
      return;
    }
    setNameError(null);
    setFetching(true);
    const result = await onSave(trimmed);
    setFetching(false);
    if (!result.ok) {
      setError(result.error);
      setNameError(result.nameError ?? null);
      if (result.nameError) nameInput.current?.focus();
      return;
    }
    setCreated({ secret: result.secret, name: result.name, hint: result.hint });
  };

  if (created) {
    return (
      <SecretShownOnceDialog
        title="Copy your new API key"
        what="key"
        keepAt="a password manager or your service's secret store"
        label={`API key “${created.name}”`}
        secret={created.secret}
        hint={created.hint}
        onClose={onClose}
      />
    );
  }

  return (
    <Dialog title="New API Key" description={`The key will belong to ${ownerLabel}.`} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={nameId}>Name</label>
          <input
            ref={nameInput}
            id={nameId}
            data-autofocus
            type="text"
            value={name}
            placeholder="production, staging, ci-runner…"
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${nameId}-error` : `${nameId}-help`}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
          />
          {nameError ? (
            <p id={`${nameId}-error`} className="field-error">
              {nameError}
            </p>
          ) : (
            <p id={`${nameId}-help`} className="field-help">
              A label to recognise the key by. The secret is generated when you save.
            </p>
          )}
        </div>
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <FormFooter onCancel={onClose} busy={fetching} label="Save Key" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
