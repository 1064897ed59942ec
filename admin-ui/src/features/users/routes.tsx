import { AdminsOnlyGate } from '../../components/AdminsOnly';
import { UserPage } from './UserPage';
import { UsersPage } from './UsersPage';

/** /users: admins only; anyone else opening it by its URL gets the Admins only page. */
export function UsersRoute() {
  return (
    <AdminsOnlyGate permission="manageUsers" page="Users">
      <UsersPage />
    </AdminsOnlyGate>
  );
}

/** /users/<id>, gated the same way (its queries ask for what only admins may see). */
export function UserRoute() {
  return (
    <AdminsOnlyGate permission="manageUsers" page="Users">
      <UserPage />
    </AdminsOnlyGate>
  );
}
