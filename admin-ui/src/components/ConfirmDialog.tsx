import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ui';

/**
 * Asks before doing something. `onConfirm` returns an error message to show (the dialog
 * stays open), or null when it worked (the dialog closes). Cancel has focus when it opens, in
 * every confirmation (a revocation, a consent): Enter or Space never agrees by accident.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<string | null>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="small"
      footer={
        <>
          <button type="button" className="button" onClick={onClose} data-autofocus>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button-danger' : 'button-primary'}`}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              setError(null);
              const problem = await onConfirm();
              setBusy(false);
              if (problem) setError(problem);
              else onClose();
            }}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-text">{children}</div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </Dialog>
  );
}
