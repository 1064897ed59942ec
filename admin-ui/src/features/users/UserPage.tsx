import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { DetailHeader } from '../../components/DetailHeader';
import { NotFound } from '../../components/NotFound';
import { Badge, ErrorMessage, Spinner, StatusBadge, SuccessMessage } from '../../components/ui';
import { Truncated } from '../../components/Truncated';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { ApiKeysSection } from '../apiKeys/ApiKeysSection';
import { CoinPoolSettingsButton } from '../client/CoinPoolSettings';
import { UsageCards } from '../client/UsageCards';
import { UserAccessTokensSection } from './UserAccessTokensSection';
import { UserAdminActions } from './UserAdminActions';
import { UserClientsSection } from './UserClientsSection';
import { UserSessionsSection } from './UserSessionsSection';

export const UserPageQuery = graphql(`
  query UserPage_UserQuery($id: ID!) {
    node(id: $id) {
      id
      ... on User {
        name
        email
        isAdmin
        active
        lastSignInAt
        viewerCan {
          setCoinPool
          revokeSessions
        }
        ...UserAdminActions_UserFragment
        ...UsageCards_UsageOwnerFragment
        ...CoinPoolSettings_UsageOwnerFragment
        ...ApiKeysSection_UsageOwnerFragment
        ...UserClientsSection_UserFragment
        ...UserSessionsSection_UserFragment
        ...UserAccessTokensSection_UserFragment
      }
    }
    viewer {
      id
    }
  }
`);

/** One user, for admins: their clients, personal keys and pool, sessions and admin-API tokens. */
export function UserPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UserPageQuery, variables: { id } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [notice, setNotice] = useState<string | null>(null);
  const onRefillDue = useCallback(() => {
    setTimeout(refetch, 1500);
  }, [refetch]);
  const user = data?.node && 'name' in data.node ? data.node : null;
  useEffect(() => {
    document.title = user ? `${user.name} · Users · Lumen` : 'User · Lumen';
  }, [user]);

  if (!data && fetching) return <Spinner label="Loading user…" />;
  if (!data && error) return <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>;
  if (!user) {
    return <NotFound title="User not found" text="This user does not exist." back={{ to: '/users', label: 'Back to users' }} />;
  }
  const self = data?.viewer.id === user.id;

  return (
    <div className="page">
      <DetailHeader
        back={{ to: '/users', label: 'Users' }}
        title={user.name}
        metaClassName="user-meta"
        meta={
          <>
            {user.active ? <StatusBadge active /> : <Badge tone="gray">Deactivated</Badge>}
            {user.isAdmin && <Badge tone="blue">Admin</Badge>}
            <a href={`mailto:${user.email}`}>
              <Truncated text={user.email} />
            </a>
            <span className="muted">Last sign-in {formatDateTime(user.lastSignInAt, 'never')}</span>
          </>
        }
        actions={
          <>
            {user.viewerCan.setCoinPool && <CoinPoolSettingsButton owner={user} />}
            <UserAdminActions user={user} onDone={setNotice} />
          </>
        }
      />
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      {error && <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>}
      <UsageCards owner={user} label="Personal usage" tokensNote="personal keys" onRefillDue={onRefillDue} />
      <UserClientsSection user={user} />
      <ApiKeysSection
        owner={user}
        title="Personal API keys"
        ownerLabel="your personal account"
        // A personal key is made by its owner, on their Profile page; an admin may revoke one.
        canCreate={self}
        canRevoke={user.viewerCan.revokeSessions}
      />
      <UserSessionsSection user={user} />
      <UserAccessTokensSection user={user} />
    </div>
  );
}
