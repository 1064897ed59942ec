/**
 * The Cancel and submit buttons at the bottom of a form in a dialog. While `busy` the submit
 * button is disabled and says `busyLabel` ("Saving…"), so a second click sends nothing.
 */
export function FormFooter({
  onCancel,
  busy,
  label,
  busyLabel,
}: {
  onCancel: () => void;
  busy: boolean;
  label: string;
  busyLabel: string;
}) {
  return (
    <div className="dialog-footer">
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </div>
  );
}
