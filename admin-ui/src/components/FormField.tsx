import type { ReactNode } from 'react';

/** What a field's control takes so that its label, help and error are tied to it. */
export interface FieldControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * A labelled form field: the label, the control (given by `children`, which gets the props to
 * spread on it), then the help text and the error. The error and the help are the control's
 * description; the error's id is `${id}-error`, the help's `${id}-help`.
 */
export function FormField({
  id,
  label,
  error,
  help,
  helpGivesWay = false,
  alert = false,
  children,
}: {
  id: string;
  label: ReactNode;
  error?: string | null;
  help?: ReactNode;
  /** The error, while there is one, takes the place of the help. */
  helpGivesWay?: boolean;
  /** The error is announced as soon as it shows (role="alert"). */
  alert?: boolean;
  children: (control: FieldControlProps) => ReactNode;
}) {
  const showHelp = Boolean(help) && !(helpGivesWay && error);
  const describedBy = [error ? `${id}-error` : null, showHelp ? `${id}-help` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {showHelp && (
        <p id={`${id}-help`} className="field-help">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role={alert ? 'alert' : undefined}>
          {error}
        </p>
      )}
    </div>
  );
}
