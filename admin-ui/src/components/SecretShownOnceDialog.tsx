import { useId, useState, type ReactNode } from 'react';
import { ConfirmDialog } from './ConfirmDialog';
import { Dialog } from './Dialog';
import { CopyButton } from './ui';

/**
 * The second step of creating an API key or an admin-API token: the secret, shown this
 * once with Copy and a warning, then Done. Lumen keeps only its hint afterwards.
 *
 * Focus starts on Copy, the one thing to do here. Escape (or ×) asks before closing: pressed
 * by habit, it would otherwise throw away a secret that cannot be shown again. Done closes.
 */
export function SecretShownOnceDialog({
  title,
  what,
  keepAt,
  label,
  secret,
  hint,
  children,
  onClose,
}: {
  title: string;
  /** "key" or "token", in the warning. */
  what: string;
  /** Where to keep it, after "such as". */
  keepAt: string;
  /** The secret field's label. */
  label: string;
  secret: string;
  hint: string;
  /** Help below the secret. */
  children?: ReactNode;
  onClose: () => void;
}) {
  const secretId = useId();
  const [asking, setAsking] = useState(false);
  return (
    <>
      <Dialog title={title} onClose={() => setAsking(true)}>
        <div className="alert alert-warning" role="alert">
          <strong>This is the only time the {what} is shown.</strong> Copy it now and keep it somewhere safe, such as {keepAt}. Afterwards
          Lumen only shows its hint (<code>{hint}</code>); a lost {what} cannot be recovered, only revoked and replaced.
        </div>
        <div className="field">
          <label htmlFor={secretId}>{label}</label>
          <div className="secret-row">
            <input id={secretId} className="secret" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
            <CopyButton text={secret} autoFocus />
          </div>
          {children}
        </div>
        <div className="dialog-footer">
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
      {asking && (
        <ConfirmDialog
          title={`Close without the ${what}?`}
          confirmLabel={`Close, the ${what} is copied`}
          danger
          onClose={() => setAsking(false)}
          onConfirm={async () => {
            onClose();
            return null;
          }}
        >
          <p>
            The {what} is shown only this once: closed, it cannot be shown again, only revoked and replaced. Cancel to go back and copy it.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
