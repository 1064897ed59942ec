import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { FormField } from '../../components/FormField';
import { FormFooter } from '../../components/FormFooter';
import { fieldErrors } from '../../lib/fieldErrors';
import { formatInt } from '../../lib/format';

/** A client's rate limits (all its keys together) and what the current minute has counted. */
export const RateLimitsSection_ClientFragment = graphql(`
  fragment RateLimitsSection_ClientFragment on Client {
    id
    rateLimits {
      requestsPerMinute
      tokensPerMinute
      requests
      tokens
    }
    viewerCan {
      setRateLimits
    }
  }
`);

const SetClientRateLimitsMutation = graphql(`
  mutation RateLimitsSection_SetClientRateLimitsMutation($input: SetClientRateLimitsInput!) {
    setClientRateLimits(input: $input) {
      client {
        id
        rateLimits {
          requestsPerMinute
          tokensPerMinute
          requests
          tokens
        }
      }
    }
  }
`);

export function RateLimitsSection(props: { client: FragmentType<typeof RateLimitsSection_ClientFragment> }) {
  const client = getFragmentData(RateLimitsSection_ClientFragment, props.client);
  const [editing, setEditing] = useState(false);
  const limits = client.rateLimits;
  return (
    <section className="section" aria-labelledby="rate-limits-heading">
      <div className="section-header">
        <h2 id="rate-limits-heading">Rate Limits</h2>
        {client.viewerCan.setRateLimits && (
          <button type="button" className="button" onClick={() => setEditing(true)}>
            Edit Rate Limits
          </button>
        )}
      </div>
      <div className="cards">
        <LimitCard label="Requests per Minute" limit={limits.requestsPerMinute} used={limits.requests} />
        <LimitCard label="Tokens per Minute" limit={limits.tokensPerMinute} used={limits.tokens} />
      </div>
      {editing && (
        <RateLimitsDialog
          clientId={client.id}
          requestsPerMinute={limits.requestsPerMinute ?? null}
          tokensPerMinute={limits.tokensPerMinute ?? null}
          onClose={() => setEditing(false)}
        />
      )}
    </section>
  );
}

function LimitCard({ label, limit, used }: { label: string; limit: number | null | undefined; used: number }) {
  const id = useId();
  return (
    <div className="card" role="group" aria-labelledby={id}>
      <h3 className="card-label" id={id}>
        {label}
      </h3>
      <p className={limit == null ? 'card-value card-value-muted' : 'card-value'}>{limit == null ? 'No limit' : formatInt(limit)}</p>
      <p className="card-note">
        {formatInt(used)} counted this minute{limit == null ? '' : ', for all keys together'}
      </p>
    </div>
  );
}

type Field = 'requestsPerMinute' | 'tokensPerMinute';

/** A limit as typed: empty is no limit; anything else must be a whole number above 0. */
function parseLimit(text: string): number | null | 'invalid' {
  const trimmed = text.trim().replace(/[\s,_]/g, '');
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) && Number(trimmed) > 0 ? Number(trimmed) : 'invalid';
}

/** Admins: the client's limits. What was typed stays on an error, beside its field. */
export function RateLimitsDialog(props: {
  clientId: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  onClose: () => void;
}) {
  const id = useId();
  const [values, setValues] = useState<Record<Field, string>>({
    requestsPerMinute: props.requestsPerMinute?.toString() ?? '',
    tokensPerMinute: props.tokensPerMinute?.toString() ?? '',
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [other, setOther] = useState<string | null>(null);
  const [{ fetching }, save] = useMutation(SetClientRateLimitsMutation);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setOther(null);
    const requestsPerMinute = parseLimit(values.requestsPerMinute);
    const tokensPerMinute = parseLimit(values.tokensPerMinute);
    const invalid: Partial<Record<Field, string>> = {};
    const message = 'Enter a whole number above 0, or leave it empty for no limit.';
    if (requestsPerMinute === 'invalid') invalid.requestsPerMinute = message;
    if (tokensPerMinute === 'invalid') invalid.tokensPerMinute = message;
    setErrors(invalid);
    if (requestsPerMinute === 'invalid' || tokensPerMinute === 'invalid') return;
    const result = await save({ input: { clientId: props.clientId, requestsPerMinute, tokensPerMinute } });
    if (result.error) {
      const { byField, other } = fieldErrors(result.error, ['requestsPerMinute', 'tokensPerMinute'] as const);
      setErrors(byField);
      setOther(other);
      return;
    }
    props.onClose();
  };

  const field = (name: Field, label: string, help: string, autofocus = false) => (
    <FormField id={`${id}-${name}`} label={label} help={help} error={errors[name]}>
      {(control) => (
        <input
          {...control}
          data-autofocus={autofocus || undefined}
          inputMode="numeric"
          autoComplete="off"
          placeholder="No limit"
          value={values[name]}
          onChange={(e) => {
            setValues((current) => ({ ...current, [name]: e.target.value }));
            setErrors((current) => ({ ...current, [name]: undefined }));
          }}
        />
      )}
    </FormField>
  );

  return (
    <Dialog
      title="Rate limits"
      description="Per minute, for all the client's keys together. A request over either limit is refused with 429 until the minute is over."
      onClose={props.onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        {field('requestsPerMinute', 'Requests per minute', 'Empty: no limit.', true)}
        {field('tokensPerMinute', 'Tokens per minute', 'Input and output tokens. Empty: no limit.')}
        {other && <ErrorMessage>{other}</ErrorMessage>}
        <FormFooter onCancel={props.onClose} busy={fetching} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
