import { Dialog } from '../../components/Dialog';
import { NewUserForm, type CreatedUser } from './NewUserForm';

/** + New User on the Users page. */
export function NewUserDialog(props: { onCreated: (user: CreatedUser) => void; onClose: () => void }) {
  return (
    <Dialog
      title="New User"
      description="Add a person who can sign in to Lumen: a manager of clients, or an admin."
      onClose={props.onClose}
    >
      <NewUserForm
        offerAdmin
        submitLabel="Create user"
        onCancel={props.onClose}
        onCreated={(user) => {
          props.onCreated(user);
          props.onClose();
        }}
      />
    </Dialog>
  );
}
