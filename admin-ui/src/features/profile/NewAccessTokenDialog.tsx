import { useId, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';
import { ErrorMessage } from '../../components/ui';
import { FormFooter } from '../../components/FormFooter';
import { formatDate } from '../../lib/format';

export type SaveTokenResult =
  | { ok: true; secret: string; name: string; hint: string }
  /** nameError: the API refused the name (too long…); it goes beside the field. */
  | { ok: false; error: string | null; nameError?: string };

const DAY_MS = 24 * 3600 * 1000;
/** The API's limit (api/src/domain/auth.ts ACCESS_TOKEN_MAX_DAYS): five years. */
const MAX_DAYS = 1826;

// Like GitHub's personal access tokens: a short expiry by default, none only on purpose.
const CHOICES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'custom', label: 'Custom date…' },
  { value: 'never', label: 'No expiration' },
] as const;

type Choice = (typeof CHOICES)[number]['value'];

/** yyyy-mm-dd of a local date, as <input type="date"> wants it. */
function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** When a token made now with this choice expires: an ISO instant, null for never, or an error to show. */
export function expiryOf(choice: Choice, customDay: string, now = new Date()): { expiresAt: string | null } | { error: string } {
  if (choice === 'never') return { expiresAt: null };
  if (choice !== 'custom') return { expiresAt: new Date(now.getTime() + Number(choice) * DAY_MS).toISOString() };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDay);
  if (!match) return { error: 'Pick the day the token should stop working, or choose another expiration.' };
  // It works through the chosen day, until the local midnight after it.
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  if (end.getTime() <= now.getTime()) return { error: 'The expiration day must be today or later.' };
  return { expiresAt: end.toISOString() };
}

/**
 * Name and expiration → Create Token (the API makes the secret) → the secret is shown this
 * once, with Copy and a warning → Done. On an error what was typed stays, and a refused name is
 * said beside it (no maxLength: a long name is refused with the limit, never cut while typing).
 */
export function NewAccessTokenDialog({
  onSave,
  onClose,
}: {
  onSave: (name: string, expiresAt: string | null) => Promise<SaveTokenResult>;
  onClose: () => void;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [choice, setChoice] = useState<Choice>('30');
  const [customDay, setCustomDay] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const [created, setCreated] = useState<{ secret: string; name: string; hint: string } | null>(null);
  const [fetching, setFetching] = useState(false);

  const today = new Date();
  const preview = expiryOf(choice, customDay, today);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    setError(null);
    if (!trimmed) {
      setNameError('Give the token a name, for example backup script or laptop.');
      nameInput.current?.focus();
      return;
    }
    setNameError(null);
    const expiry = expiryOf(choice, customDay);
    if ('error' in expiry) {
      setError(expiry.error);
      return;
    }
    setFetching(true);
    const result = await onSave(trimmed, expiry.expiresAt);
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
        title="Copy your new admin-API token"
        what="token"
        keepAt="a password manager"
        label={`Admin-API token “${created.name}”`}
        secret={created.secret}
        hint={created.hint}
        onClose={onClose}
      >
        <p className="field-help">
          Scripts send it to <code>/graphql</code> in the header <code>Authorization: Bearer lat_…</code>. It acts as you, with all your
          rights.
        </p>
      </SecretShownOnceDialog>
    );
  }

  return (
    <Dialog
      title="New admin-API token"
      description="A token lets your scripts use Lumen's admin API as you. It is not a model key: for /v1 create an API key."
      onClose={onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            ref={nameInput}
            id={`${id}-name`}
            data-autofocus
            type="text"
            value={name}
            placeholder="backup script, laptop…"
            autoComplete="off"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${id}-name-error` : undefined}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
          />
          {nameError && (
            <p id={`${id}-name-error`} className="field-error">
              {nameError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-expiry`}>Expiration</label>
          <select id={`${id}-expiry`} value={choice} onChange={(e) => setChoice(e.target.value as Choice)}>
            {CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
          {choice !== 'custom' && (
            <p className="field-help">
              {'expiresAt' in preview && preview.expiresAt
                ? `The token stops working on ${formatDate(preview.expiresAt)}.`
                : 'The token works until you revoke it. If it leaks, it stays usable until someone notices: prefer an expiration.'}
            </p>
          )}
        </div>
        {choice === 'custom' && (
          <div className="field">
            <label htmlFor={`${id}-day`}>Expires after</label>
            <input
              id={`${id}-day`}
              type="date"
              value={customDay}
              min={isoDay(today)}
              max={isoDay(new Date(today.getTime() + (MAX_DAYS - 1) * DAY_MS))}
              onChange={(e) => setCustomDay(e.target.value)}
            />
            <p className="field-help">The token works through this day, at most five years ahead.</p>
          </div>
        )}
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <FormFooter onCancel={onClose} busy={fetching} label="Create Token" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}
