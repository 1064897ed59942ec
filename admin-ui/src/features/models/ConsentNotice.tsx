/**
 * A model's consent notice as people read it before they agree: the consent dialog shows it
 * this way, and so does the model's page (so an admin sees what others will be asked).
 */
export function ConsentNotice({ notice }: { notice: string | null | undefined }) {
  return <div className="consent-notice">{notice || 'This model asks for your acknowledgement before use.'}</div>;
}
