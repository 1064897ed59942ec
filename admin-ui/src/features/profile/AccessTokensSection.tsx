import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { ErrorMessage, Spinner, SuccessMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { nameSaveFailure } from '../../lib/fieldErrors';
import { useFocusAfterDialog } from '../../lib/focus';
import { AccessTokensTable } from './AccessTokensTable';
import { RevokeAccessTokenDialog } from './RevokeAccessTokenDialog';
import { NewAccessTokenDialog, type SaveTokenResult } from './NewAccessTokenDialog';

const ViewerAccessTokensQuery = graphql(`
  query AccessTokensSection_ViewerAccessTokensQuery {
    viewer {
      id
      accessTokens {
        id
        ...AccessTokensTable_AccessTokenFragment
      }
    }
  }
`);

const CreateAccessTokenMutation = graphql(`
  mutation AccessTokensSection_CreateAccessTokenMutation($input: CreateAccessTokenInput!) {
    createAccessToken(input: $input) {
      secret
      accessToken {
        id
        name
        hint
        ...AccessTokensTable_AccessTokenFragment
      }
    }
  }
`);

const RevokeAccessTokenMutation = graphql(`
  mutation AccessTokensSection_RevokeAccessTokenMutation($input: RevokeAccessTokenInput!) {
    revokeAccessToken(input: $input) {
      accessToken {
        id
        name
      }
    }
  }
`);

/** The viewer's admin-API tokens (lat_...), for scripts that use the admin API: list, create, revoke. */
export function AccessTokensSection() {
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string; current: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // After a revocation the row (and its Revoke button) leaves the list: focus goes to the heading.
  const heading = useFocusAfterDialog<HTMLHeadingElement>(revoking !== null);
  const [result, reexecute] = useQuery({ query: ViewerAccessTokensQuery });
  const [, createToken] = useMutation(CreateAccessTokenMutation);
  const [, revokeToken] = useMutation(RevokeAccessTokenMutation);
  const tokens = result.data?.viewer.accessTokens;

  const save = async (name: string, expiresAt: string | null): Promise<SaveTokenResult> => {
    const res = await createToken({ input: { name, expiresAt } });
    const payload = res.data?.createAccessToken;
    if (res.error || !payload) return nameSaveFailure(res.error, 'The token was not created.');
    setNotice(`Admin-API token “${payload.accessToken.name}” created (${payload.accessToken.hint}).`);
    return { ok: true, secret: payload.secret, name: payload.accessToken.name, hint: payload.accessToken.hint };
  };

  return (
    <section className="section" aria-labelledby="access-tokens-heading">
      <div className="section-header">
        <h2 id="access-tokens-heading" ref={heading.ref} tabIndex={-1}>
          Admin-API Tokens
        </h2>
        <div className="section-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setNotice(null);
              setCreating(true);
            }}
          >
            + New Token
          </button>
        </div>
      </div>
      <p className="muted">
        For scripts that manage Lumen through its admin API (<code>/graphql</code>) as you. They are not model keys: requests to{' '}
        <code>/v1</code> take an API key.
      </p>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      {result.error && !tokens ? (
        <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(result.error)}</ErrorMessage>
      ) : !tokens ? (
        <Spinner label="Loading admin-API tokens…" />
      ) : (
        <AccessTokensTable
          accessTokens={tokens}
          onRevoke={(token) => {
            setNotice(null);
            setRevoking(token);
          }}
        />
      )}
      {creating && <NewAccessTokenDialog onSave={save} onClose={() => setCreating(false)} />}
      {revoking && (
        <RevokeAccessTokenDialog
          token={revoking}
          revoke={(id) => revokeToken({ input: { id } })}
          onRevoked={(notice) => {
            setNotice(notice);
            heading.moveFocusLater();
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
