import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
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

  const describedBy = (field: Field) => (errors[field] ? `${id}-${field}-error` : undefined);
  return (
    <Dialog title="Edit client" description="The name managers and admins see; keys and usage stay." onClose={props.onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            data-autofocus
            value={name}
            autoComplete="off"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy('name')}
            onChange={(e) => {
              setName(e.target.value);
              setErrors((current) => ({ ...current, name: undefined }));
            }}
          />
          {errors.name && (
            <p id={`${id}-name-error`} className="field-error">
              {errors.name}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea
            id={`${id}-description`}
            rows={3}
            value={description}
            placeholder="What the client is for, and who to ask about it"
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={describedBy('description')}
            onChange={(e) => {
              setDescription(e.target.value);
              setErrors((current) => ({ ...current, description: undefined }));
            }}
          />
          {errors.description && (
            <p id={`${id}-description-error`} className="field-error">
              {errors.description}
            </p>
          )}
        </div>
        {other && <ErrorMessage>{other}</ErrorMessage>}
        <div className="dialog-footer">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={fetching}>
            {fetching ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
