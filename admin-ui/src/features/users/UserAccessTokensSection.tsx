import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { AccessTokensTable } from '../profile/AccessTokensTable';

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
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string } | null>(null);
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
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke token"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const result = await revoke({ input: { id: revoking.id } });
            if (result.error) return errorMessage(result.error);
            setNotice(`Admin-API token “${revoking.name}” revoked.`);
            return null;
          }}
        >
          <p>
            Requests with <code>{revoking.hint}</code> are refused from now on. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
