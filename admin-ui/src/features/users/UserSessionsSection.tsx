import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ActionsHeader, Badge, EmptyRow, RowDangerButton, SuccessMessage } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';

export const UserSessionsSection_UserFragment = graphql(`
  fragment UserSessionsSection_UserFragment on User {
    id
    name
    sessions {
      id
      createdAt
      lastSeenAt
      expiresAt
      userAgent
      current
    }
    viewerCan {
      revokeSessions
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation UserSessionsSection_RevokeSessionMutation($input: RevokeSessionInput!) {
    revokeSession(input: $input) {
      revokedSessionId
    }
  }
`);

type Session = { id: string; userAgent?: string | null; current: boolean };

/** "Firefox on Linux"-like enough: the user agent as sent, or a placeholder. */
function device(session: { userAgent?: string | null }): string {
  return session.userAgent?.trim() || 'Unknown browser';
}

/** Where the user is signed in, with Revoke (which signs that browser out at once). */
export function UserSessionsSection(props: { user: FragmentType<typeof UserSessionsSection_UserFragment> }) {
  const user = getFragmentData(UserSessionsSection_UserFragment, props.user);
  const canRevoke = user.viewerCan.revokeSessions;
  const [revoking, setRevoking] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, revoke] = useMutation(RevokeSessionMutation);
  const columns = canRevoke ? 5 : 4;

  return (
    <section className="section" aria-labelledby="user-sessions-heading">
      <div className="section-header">
        <h2 id="user-sessions-heading">Sessions</h2>
      </div>
      <p className="muted">The browsers {user.name} is signed in with.</p>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last seen</th>
              <th scope="col">Expires</th>
              {canRevoke && <ActionsHeader />}
            </tr>
          </thead>
          <tbody>
            {user.sessions.length === 0 && <EmptyRow colSpan={columns}>Not signed in anywhere.</EmptyRow>}
            {user.sessions.map((session) => (
              <tr key={session.id}>
                <td data-label="Browser">
                  <Truncated text={device(session)} />
                  {session.current && (
                    <>
                      {' '}
                      <Badge tone="blue">This browser</Badge>
                    </>
                  )}
                </td>
                <td data-label="Signed in">{formatDateTime(session.createdAt)}</td>
                <td data-label="Last seen">{formatDateTime(session.lastSeenAt)}</td>
                <td data-label="Expires">{formatDateTime(session.expiresAt)}</td>
                {canRevoke && (
                  <td className="actions">
                    <RowDangerButton
                      label={`Revoke the session signed in ${formatDateTime(session.createdAt)}`}
                      onClick={() => {
                        setNotice(null);
                        setRevoking(session);
                      }}
                    >
                      Revoke
                    </RowDangerButton>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <ConfirmDialog
          title="Revoke this session?"
          confirmLabel="Revoke session"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const result = await revoke({ input: { id: revoking.id } });
            if (result.error) return errorMessage(result.error);
            setNotice(`The session was revoked: ${user.name} is signed out of that browser.`);
            return null;
          }}
        >
          <p>
            {revoking.current ? 'You are' : `${user.name} is`} signed out of <span className="wrap-anywhere">{device(revoking)}</span> at
            once. Signing in again starts a new session.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
