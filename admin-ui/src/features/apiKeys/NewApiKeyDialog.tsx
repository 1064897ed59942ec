import { useId, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';
import { ErrorMessage } from '../../components/ui';
import { FormFooter } from '../../components/FormFooter';
import { formatDate } from '../../lib/format';

export type SaveKeyResult =
  | { ok: true; secret: string; name: string; hint: string }
  /** nameError: the API refused the name (too long, taken…); it goes beside the field. */
  | { ok: false; error: string | null; nameError?: string };

const DAY_MS = 24 * 3600 * 1000;

/** 'max': the instance's longest lifetime (LUMEN_API_KEY_MAX_DAYS), which the API gives a key sent without expiresAt. */
type Choice = 'never' | 'max' | '30' | '90' | '365' | 'custom';

/** The expiries offered: never only without an instance limit, and only lifetimes within it. */
function choicesFor(maxDays: number | null): { value: Choice; label: string }[] {
  const fixed = (
    [
      { value: '30', label: '30 days' },
      { value: '90', label: '90 days' },
      { value: '365', label: '1 year' },
    ] as const
  ).filter((c) => maxDays === null || Number(c.value) < maxDays);
  return [
    ...(maxDays === null
      ? [{ value: 'never' as const, label: 'Never' }]
      : [{ value: 'max' as const, label: `${maxDays} days (the longest allowed)` }]),
    ...fixed,
    { value: 'custom', label: 'Custom date…' },
  ];
}

/** yyyy-mm-dd of a local date, as <input type="date"> wants it. */
function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * What to send as expiresAt for a key made now with this choice: an ISO instant, or null (never,
 * or the instance's longest lifetime, which the API applies itself), or an error to show.
 */
function expiresAtFor(choice: Choice, customDay: string, now = new Date()): { expiresAt: string | null } | { error: string } {
  if (choice === 'never' || choice === 'max') return { expiresAt: null };
  if (choice !== 'custom') return { expiresAt: new Date(now.getTime() + Number(choice) * DAY_MS).toISOString() };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDay);
  if (!match) return { error: 'Pick the day the key should stop working, or choose another expiry.' };
  // It works through the chosen day, until the local midnight after it.
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  if (end.getTime() <= now.getTime()) return { error: 'The expiry day must be today or later.' };
  return { expiresAt: end.toISOString() };
}

/**
 * Name and expiry → Save Key (the API creates it) → the secret is shown this once, with Copy
 * and a warning → Done. On an error the typed name stays, and a refused name is said beside it
 * (no maxLength: a long name is refused with the limit, never cut while typing). The expiry
 * defaults to the instance's longest lifetime when it sets one, and to never otherwise.
 */
export function NewApiKeyDialog({
  ownerLabel,
  maxDays = null,
  onSave,
  onClose,
}: {
  ownerLabel: string;
  /** The longest lifetime of a key on this instance, in days (Query.apiKeyMaxDays); null: no limit. */
  maxDays?: number | null;
  /** Creates the key (the API generates the secret); expiresAt null: the API's default. */
  onSave: (name: string, expiresAt: string | null) => Promise<SaveKeyResult>;
  onClose: () => void;
}) {
  const nameId = useId();
  const [name, setName] = useState('');
  const choices = choicesFor(maxDays);
  const [picked, setChoice] = useState<Choice | null>(null);
  // Until one is picked (and should the limit arrive after the dialog opened), the default.
  const choice: Choice = picked && choices.some((c) => c.value === picked) ? picked : maxDays === null ? 'never' : 'max';
  const [customDay, setCustomDay] = useState('');
  const today = new Date();
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
    const expiry = expiresAtFor(choice, customDay);
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
        <div className="field">
          <label htmlFor={`${nameId}-expiry`}>Expires</label>
          <select
            id={`${nameId}-expiry`}
            value={choice}
            aria-describedby={choice === 'custom' ? undefined : `${nameId}-expiry-help`}
            onChange={(e) => setChoice(e.target.value as Choice)}
          >
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
          {choice !== 'custom' && (
            <p id={`${nameId}-expiry-help`} className="field-help">
              {choice === 'never'
                ? 'The key works until it is revoked.'
                : `The key stops working on ${formatDate(new Date(today.getTime() + (choice === 'max' ? maxDays! : Number(choice)) * DAY_MS).toISOString())}; the table highlights it 7 days before.`}
            </p>
          )}
        </div>
        {choice === 'custom' && (
          <div className="field">
            <label htmlFor={`${nameId}-day`}>Expires after</label>
            <input
              id={`${nameId}-day`}
              type="date"
              value={customDay}
              min={isoDay(today)}
              max={maxDays === null ? undefined : isoDay(new Date(today.getTime() + (maxDays - 1) * DAY_MS))}
              aria-describedby={`${nameId}-day-help`}
              onChange={(e) => setCustomDay(e.target.value)}
            />
            <p id={`${nameId}-day-help`} className="field-help">
              The key works through this day{maxDays === null ? '' : `, at most ${maxDays} days ahead`}.
            </p>
          </div>
        )}
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <FormFooter onCancel={onClose} busy={fetching} label="Save Key" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
