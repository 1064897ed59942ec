import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { ErrorMessage } from '../../components/ui';
import { FormField } from '../../components/FormField';
import { FormFooter } from '../../components/FormFooter';
import { fieldErrors } from '../../lib/fieldErrors';

const CreateUserMutation = graphql(`
  mutation NewUserForm_CreateUserMutation($input: CreateUserInput!) {
    createUser(input: $input) {
      user {
        id
        name
        email
        isAdmin
        active
      }
    }
  }
`);

export type CreatedUser = { id: string; name: string; email: string };
type Field = 'name' | 'email';

/** Pre-fills from what someone typed in a search: an email goes to Email, anything else to Name. */
export function initialFromSearch(text: string): { name: string; email: string } {
  const typed = text.trim();
  return typed.includes('@') ? { name: '', email: typed } : { name: typed, email: '' };
}

/**
 * Name, email and (optionally) admin for createUser. Errors sit beside their field; what was
 * typed stays on an error. Used by the New User dialog and by Add Manager's Create user step.
 */
export function NewUserForm(props: {
  initial?: { name: string; email: string };
  /** Offer the Admin checkbox (the Users page); Add Manager creates plain users. */
  offerAdmin?: boolean;
  submitLabel: string;
  onCreated: (user: CreatedUser) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [name, setName] = useState(props.initial?.name ?? '');
  const [email, setEmail] = useState(props.initial?.email ?? '');
  const [isAdmin, setIsAdmin] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [other, setOther] = useState<string | null>(null);
  const [{ fetching }, createUser] = useMutation(CreateUserMutation);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problems: Partial<Record<Field, string>> = {};
    if (!name.trim()) problems.name = 'Enter the person’s name, for example Ada Lovelace.';
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) problems.email = 'Enter an email address, for example ada@example.org.';
    setErrors(problems);
    setOther(null);
    if (problems.name || problems.email) return;
    const result = await createUser({ input: { name: name.trim(), email: email.trim(), isAdmin: props.offerAdmin ? isAdmin : false } });
    const user = result.data?.createUser.user;
    if (result.error || !user) {
      const { byField, other } = fieldErrors(result.error, ['name', 'email'] as const);
      setErrors(byField);
      setOther(other ?? (byField.name || byField.email ? null : 'The user was not created.'));
      return;
    }
    props.onCreated(user);
  };

  // A field's error clears as soon as it is edited.
  const edit = (field: Field, set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.target.value);
    if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <FormField id={`${id}-name`} label="Name" error={errors.name}>
        {(control) => (
          <input
            {...control}
            data-autofocus={!props.initial?.name || undefined}
            value={name}
            autoComplete="off"
            onChange={edit('name', setName)}
          />
        )}
      </FormField>
      <FormField
        id={`${id}-email`}
        label="Email"
        error={errors.email}
        help="They sign in with this address (a sign-in link, or your identity provider)."
        helpGivesWay
      >
        {(control) => <input {...control} type="email" value={email} autoComplete="off" onChange={edit('email', setEmail)} />}
      </FormField>
      {props.offerAdmin && (
        <label className="toggle">
          <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />
          <span>Admin (sees and changes everything in this instance)</span>
        </label>
      )}
      {other && <ErrorMessage>{other}</ErrorMessage>}
      <FormFooter onCancel={props.onCancel} busy={fetching} label={props.submitLabel} busyLabel="Creating…" />
    </form>
  );
}
