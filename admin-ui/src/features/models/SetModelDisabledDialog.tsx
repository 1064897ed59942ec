import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/errors';

const SetModelDisabledMutation = graphql(`
  mutation SetModelDisabledDialog_UpdateModelMutation($input: UpdateModelInput!) {
    updateModel(input: $input) {
      model {
        id
        disabled
        status
        statusReason
      }
    }
  }
`);

/** Disable / Enable, after saying what changes for the people who call the model. */
export function SetModelDisabledDialog(props: {
  model: { id: string; name: string };
  disabled: boolean;
  onDone: (message: string) => void;
  onClose: () => void;
}) {
  const { model, disabled } = props;
  const [, updateModel] = useMutation(SetModelDisabledMutation);
  return (
    <ConfirmDialog
      title={`${disabled ? 'Disable' : 'Enable'} ${model.name}?`}
      confirmLabel={disabled ? 'Disable model' : 'Enable model'}
      danger={disabled}
      onClose={props.onClose}
      onConfirm={async () => {
        const result = await updateModel({ input: { modelId: model.id, disabled } });
        if (result.error) return errorMessage(result.error);
        props.onDone(
          disabled
            ? `${model.name} is disabled: new requests get 403 model_disabled.`
            : `${model.name} is enabled: clients with access can call it again.`,
        );
        return null;
      }}
    >
      {disabled ? (
        <>
          <p>
            New requests to <strong>{model.name}</strong> are refused with 403 <code>model_disabled</code>, on every Lumen instance at once.
            Requests already admitted finish.
          </p>
          <p>Its usage, consents and access rules are kept: Enable brings it back as it was.</p>
        </>
      ) : (
        <p>
          Clients allowed to use <strong>{model.name}</strong> can call it again at once, with its current prices and rules.
        </p>
      )}
    </ConfirmDialog>
  );
}
