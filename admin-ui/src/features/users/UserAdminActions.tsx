import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/errors';

export const UserAdminActions_UserFragment = graphql(`
  fragment UserAdminActions_UserFragment on User {
    id
    name
    isAdmin
    active
    viewerCan {
      setAdmin
      setActive
    }
  }
`);

// Each payload brings the user's permissions back too: who may be demoted depends on who is admin.
const SetUserAdminMutation = graphql(`
  mutation UserAdminActions_SetUserAdminMutation($input: SetUserAdminInput!) {
    setUserAdmin(input: $input) {
      user {
        id
        isAdmin
        viewerCan {
          setAdmin
          setActive
          setCoinPool
          revokeSessions
        }
      }
    }
  }
`);

const SetUserActiveMutation = graphql(`
  mutation UserAdminActions_SetUserActiveMutation($input: SetUserActiveInput!) {
    setUserActive(input: $input) {
      user {
        id
        active
        viewerCan {
          setAdmin
          setActive
          setCoinPool
          revokeSessions
        }
      }
    }
  }
`);

type Change = 'grantAdmin' | 'revokeAdmin' | 'deactivate' | 'activate';

/**
 * Make admin / Remove admin and Deactivate / Activate, each after a confirmation that says
 * what changes. Shown only where the user's viewerCan allows it. `compact`: small buttons
 * named after the user, for a table row.
 */
export function UserAdminActions(props: {
  user: FragmentType<typeof UserAdminActions_UserFragment>;
  compact?: boolean;
  onDone: (message: string) => void;
}) {
  const user = getFragmentData(UserAdminActions_UserFragment, props.user);
  const [confirming, setConfirming] = useState<Change | null>(null);
  const [, setAdmin] = useMutation(SetUserAdminMutation);
  const [, setActive] = useMutation(SetUserActiveMutation);
  const size = props.compact ? ' button-small' : '';
  const named = (label: string) => (props.compact ? `${label} ${user.name}` : undefined);

  const run = async (change: Change): Promise<string | null> => {
    const result =
      change === 'grantAdmin' || change === 'revokeAdmin'
        ? await setAdmin({ input: { userId: user.id, admin: change === 'grantAdmin' } })
        : await setActive({ input: { userId: user.id, active: change === 'activate' } });
    if (result.error) return errorMessage(result.error);
    props.onDone(DONE[change](user.name));
    return null;
  };

  return (
    <>
      {user.viewerCan.setAdmin && (
        <button
          type="button"
          className={`button${size}`}
          aria-label={props.compact ? (user.isAdmin ? `Remove admin from ${user.name}` : `Make admin: ${user.name}`) : undefined}
          onClick={() => setConfirming(user.isAdmin ? 'revokeAdmin' : 'grantAdmin')}
        >
          {user.isAdmin ? 'Remove admin' : 'Make admin'}
        </button>
      )}
      {user.viewerCan.setActive && (
        <button
          type="button"
          className={`button${size} ${user.active ? 'button-danger-outline' : 'button-primary'}`}
          aria-label={named(user.active ? 'Deactivate' : 'Activate')}
          onClick={() => setConfirming(user.active ? 'deactivate' : 'activate')}
        >
          {user.active ? 'Deactivate' : 'Activate'}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={TITLE[confirming](user.name)}
          confirmLabel={CONFIRM[confirming]}
          danger={confirming === 'deactivate' || confirming === 'revokeAdmin'}
          onClose={() => setConfirming(null)}
          onConfirm={() => run(confirming)}
        >
          <Consequences change={confirming} name={user.name} />
        </ConfirmDialog>
      )}
    </>
  );
}

const TITLE: Record<Change, (name: string) => string> = {
  grantAdmin: (name) => `Make ${name} an admin?`,
  revokeAdmin: (name) => `Remove admin from ${name}?`,
  deactivate: (name) => `Deactivate ${name}?`,
  activate: (name) => `Activate ${name}?`,
};

const CONFIRM: Record<Change, string> = {
  grantAdmin: 'Make admin',
  revokeAdmin: 'Remove admin',
  deactivate: 'Deactivate user',
  activate: 'Activate user',
};

const DONE: Record<Change, (name: string) => string> = {
  grantAdmin: (name) => `${name} is now an admin.`,
  revokeAdmin: (name) => `${name} is no longer an admin.`,
  deactivate: (name) => `${name} is deactivated: their sessions, admin-API tokens and personal API keys no longer work.`,
  activate: (name) => `${name} is active again and can sign in.`,
};

/** What the change does, said before it is made. */
function Consequences({ change, name }: { change: Change; name: string }) {
  switch (change) {
    case 'grantAdmin':
      return (
        <p>
          Admins see and change everything in this Lumen instance: every client, model and user, coin pools and access rules. {name} gets
          this at once.
        </p>
      );
    case 'revokeAdmin':
      return (
        <p>
          {name} keeps their personal API keys and the clients they manage, but no longer sees the rest of the instance or its admin pages.
        </p>
      );
    case 'deactivate':
      return (
        <>
          <p>These stop working at once:</p>
          <ul>
            <li>their browser sessions (they are signed out everywhere);</li>
            <li>their admin-API tokens;</li>
            <li>their personal API keys.</li>
          </ul>
          <p>The API keys of the clients they manage keep working. You can activate {name} again at any time.</p>
        </>
      );
    case 'activate':
      return <p>{name} can sign in again, and their admin-API tokens and personal API keys work again. Ended sessions stay ended.</p>;
  }
}
