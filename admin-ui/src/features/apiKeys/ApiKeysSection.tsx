import { useId, useState } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage, SearchBox, Spinner, SuccessMessage, Toggle } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { nameSaveFailure } from '../../lib/fieldErrors';
import { useFocusAfterDialog } from '../../lib/focus';
import { useDebounced } from '../../lib/hooks';
import { ownerInput } from '../../lib/owner';
import { ApiKeysTable } from './ApiKeysTable';
import { NewApiKeyDialog, type SaveKeyResult } from './NewApiKeyDialog';
import { UsageExamples } from './UsageExamples';

const PAGE = 100;

/** The owner whose keys these are: a client, or the viewer (personal keys). */
export const ApiKeysSection_UsageOwnerFragment = graphql(`
  fragment ApiKeysSection_UsageOwnerFragment on UsageOwner {
    __typename
    ... on Node {
      id
    }
  }
`);

// One query for any owner: node(id) is a Client or a User, and both are a UsageOwner.
const ApiKeysQuery = graphql(`
  query ApiKeysSection_ApiKeysQuery($ownerId: ID!, $search: String, $includeRevoked: Boolean!, $first: Int!, $after: String) {
    apiKeyMaxDays
    node(id: $ownerId) {
      id
      ... on UsageOwner {
        apiKeys(search: $search, includeRevoked: $includeRevoked, first: $first, after: $after) {
          edges {
            cursor
            node {
              id
              ...ApiKeysTable_ApiKeyFragment
            }
          }
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

const CreateApiKeyMutation = graphql(`
  mutation ApiKeysSection_CreateApiKeyMutation($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        id
        name
        hint
        ...ApiKeysTable_ApiKeyFragment
      }
    }
  }
`);

const RevokeApiKeyMutation = graphql(`
  mutation ApiKeysSection_RevokeApiKeyMutation($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      apiKey {
        id
        ...ApiKeysTable_ApiKeyFragment
      }
    }
  }
`);

export interface ApiKeysSectionProps {
  owner: FragmentType<typeof ApiKeysSection_UsageOwnerFragment>;
  /** Shown in the New API Key dialog: "example-bot" or "your personal account". */
  ownerLabel: string;
  canCreate: boolean;
  canRevoke: boolean;
  /** A model name for the usage examples. */
  exampleModel?: string;
  /** The section's heading: "API Keys" on a client's page; the user page says whose keys they are. */
  title?: string;
}

/**
 * The owner's keys, searchable, with revoked keys on request. The list stays current through
 * the normalized cache (src/cache): live usage moves the counters, and a key created or
 * revoked (here or elsewhere) makes the cache fetch the list again.
 */
export function ApiKeysSection({
  owner: ownerRef,
  ownerLabel,
  canCreate,
  canRevoke,
  exampleModel,
  title = 'API Keys',
}: ApiKeysSectionProps) {
  const owner = getFragmentData(ApiKeysSection_UsageOwnerFragment, ownerRef);
  const headingId = useId();
  const urql = useClient();
  const [search, setSearch] = useState('');
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [showExamples, setShowExamples] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // After a revocation the row (and its Revoke button) leaves the list: focus goes to the heading.
  const heading = useFocusAfterDialog<HTMLHeadingElement>(revoking !== null);
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const debouncedSearch = useDebounced(search.trim(), 250);
  // The list shown always asks for the first page (later pages join it in the cache), so when
  // the cache drops a list (a key was created) it starts over from the top, never mid-way.
  const variables = { ownerId: owner.id, search: debouncedSearch || null, includeRevoked, first: PAGE, after: null };

  const [result, reexecute] = useQuery({ query: ApiKeysQuery, variables });
  const node = result.data?.node;
  const connection = node && 'apiKeys' in node ? node.apiKeys : undefined;

  // The next page is fetched on the side: the cache (relayPagination) adds it to the list shown.
  const showMore = async (after: string) => {
    setMore({ loading: true, error: null });
    const res = await urql.query(ApiKeysQuery, { ...variables, after }).toPromise();
    setMore({ loading: false, error: errorMessage(res.error) });
  };

  const [, createKey] = useMutation(CreateApiKeyMutation);
  const [, revokeKey] = useMutation(RevokeApiKeyMutation);

  const save = async (name: string, expiresAt: string | null): Promise<SaveKeyResult> => {
    // Left out, the API gives the instance's longest lifetime, or none.
    const res = await createKey({ input: { ...ownerInput(owner), name, ...(expiresAt ? { expiresAt } : {}) } });
    const payload = res.data?.createApiKey;
    if (res.error || !payload) return nameSaveFailure(res.error, 'The key was not created.');
    setNotice(`API key “${payload.apiKey.name}” created (${payload.apiKey.hint}).`);
    return { ok: true, secret: payload.secret, name: payload.apiKey.name, hint: payload.apiKey.hint };
  };

  const filtering = debouncedSearch.length > 0;
  const emptyText = filtering ? 'No API keys match your filter.' : includeRevoked ? 'No API keys yet.' : 'No active API keys.';

  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId} ref={heading.ref} tabIndex={-1}>
          {title}
        </h2>
        <div className="section-actions">
          <button type="button" className="button" aria-expanded={showExamples} onClick={() => setShowExamples((v) => !v)}>
            Usage examples
          </button>
          {canCreate && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                setNotice(null);
                setCreating(true);
              }}
            >
              + New API Key
            </button>
          )}
        </div>
      </div>
      {showExamples && <UsageExamples model={exampleModel} />}
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      <div className="table-toolbar">
        <Toggle label="Show revoked keys" checked={includeRevoked} onChange={setIncludeRevoked} />
        <SearchBox label="Search API keys by name or hint" placeholder="Filter by name or hint…" value={search} onChange={setSearch} />
      </div>
      {result.error && !connection ? (
        <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(result.error)}</ErrorMessage>
      ) : !connection ? (
        <Spinner label="Loading API keys…" />
      ) : (
        <>
          <ApiKeysTable
            apiKeys={connection.edges.map((e) => e.node)}
            canRevoke={canRevoke}
            onRevoke={(key) => {
              setNotice(null);
              setRevoking(key);
            }}
            emptyText={emptyText}
          />
          {connection.pageInfo.hasNextPage && connection.pageInfo.endCursor && (
            <button
              type="button"
              className="button button-link"
              disabled={more.loading}
              onClick={() => showMore(connection.pageInfo.endCursor!)}
            >
              Show more keys ({connection.edges.length} of {connection.totalCount} shown)
            </button>
          )}
          {more.error && <ErrorMessage>{more.error}</ErrorMessage>}
          {result.error && <ErrorMessage>{errorMessage(result.error)}</ErrorMessage>}
        </>
      )}
      {creating && (
        <NewApiKeyDialog
          ownerLabel={ownerLabel}
          maxDays={result.data?.apiKeyMaxDays ?? null}
          onSave={save}
          onClose={() => setCreating(false)}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const res = await revokeKey({ input: { id: revoking.id } });
            if (res.error) return errorMessage(res.error);
            setNotice(`API key “${revoking.name}” revoked. It is listed under Show revoked keys.`);
            heading.moveFocusLater();
            return null;
          }}
        >
          <p>
            Requests with <code>{revoking.hint}</code> fail from now on. This cannot be undone; the key stays listed under Show revoked
            keys.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
