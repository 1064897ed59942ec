import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { FormField } from '../../components/FormField';
import { FormFooter } from '../../components/FormFooter';
import { fieldErrors } from '../../lib/fieldErrors';

const UpdateClientMutation = graphql(`
  mutation EditClientDialog_UpdateClientMutation($input: UpdateClientInput!) {
    updateClient(input: $input) {
      client {
        id
        name
        description
      }
    }
  }
`);

type Field = 'name' | 'description';

/** Admins: rename a client and describe it. What was typed stays on an error, beside its field. */
export function EditClientDialog(props: { client: { id: string; name: string; description?: string | null }; onClose: () => void }) {
  const id = useId();
  const [name, setName] = useState(props.client.name);
  const [description, setDescription] = useState(props.client.description ?? '');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [other, setOther] = useState<string | null>(null);
  const [{ fetching }, update] = useMutation(UpdateClientMutation);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setOther(null);
    if (!name.trim()) return setErrors({ name: 'Give the client a name, for example example-bot.' });
    setErrors({});
    const result = await update({ input: { clientId: props.client.id, name: name.trim(), description: description.trim() } });
    if (result.error) {
      const { byField, other } = fieldErrors(result.error, ['name', 'description'] as const);
      setErrors(byField);
      setOther(other);
      return;
    }
    props.onClose();
  };

  return (
    <Dialog title="Edit client" description="The name managers and admins see; keys and usage stay." onClose={props.onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <FormField id={`${id}-name`} label="Name" error={errors.name}>
          {(control) => (
            <input
              {...control}
              data-autofocus
              value={name}
              autoComplete="off"
              onChange={(e) => {
                setName(e.target.value);
                setErrors((current) => ({ ...current, name: undefined }));
              }}
            />
          )}
        </FormField>
        <FormField id={`${id}-description`} label="Description" error={errors.description}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={description}
              placeholder="What the client is for, and who to ask about it"
              onChange={(e) => {
                setDescription(e.target.value);
                setErrors((current) => ({ ...current, description: undefined }));
              }}
            />
          )}
        </FormField>
        {other && <ErrorMessage>{other}</ErrorMessage>}
        <FormFooter onCancel={props.onClose} busy={fetching} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
