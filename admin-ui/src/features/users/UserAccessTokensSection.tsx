import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { SuccessMessage } from '../../components/ui';
import { AccessTokensTable } from '../profile/AccessTokensTable';
import { RevokeAccessTokenDialog } from '../profile/RevokeAccessTokenDialog';

export const UserAccessTokensSection_UserFragment = graphql(`
  fragment UserAccessTokensSection_UserFragment on User {
    id
    name
    accessTokens {
      id
      ...AccessTokensTable_AccessTokenFragment
    }
  }
`);

const RevokeAccessTokenMutation = graphql(`
  mutation UserAccessTokensSection_RevokeAccessTokenMutation($input: RevokeAccessTokenInput!) {
    revokeAccessToken(input: $input) {
      accessToken {
        id
        name
      }
    }
  }
`);

/** A user's admin-API tokens (never the secrets), for an admin to revoke; the user makes them on their Profile page. */
export function UserAccessTokensSection(props: { user: FragmentType<typeof UserAccessTokensSection_UserFragment> }) {
  const user = getFragmentData(UserAccessTokensSection_UserFragment, props.user);
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string; current: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, revoke] = useMutation(RevokeAccessTokenMutation);

  return (
    <section className="section" aria-labelledby="user-tokens-heading">
      <div className="section-header">
        <h2 id="user-tokens-heading">Admin-API Tokens</h2>
      </div>
      <p className="muted">Tokens {user.name}’s scripts use for the admin API. They are created on the Profile page, by their owner.</p>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <AccessTokensTable
        accessTokens={user.accessTokens}
        onRevoke={(token) => {
          setNotice(null);
          setRevoking(token);
        }}
      />
      {revoking && (
        <RevokeAccessTokenDialog
          token={revoking}
          revoke={(id) => revoke({ input: { id } })}
          onRevoked={setNotice}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
