import { useEffect, useMemo, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage, SearchBox, Spinner, SuccessMessage, Toggle } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { useDebounced } from '../../lib/hooks';
import { ApiKeysTable } from './ApiKeysTable';
import { NewApiKeyDialog, type SaveKeyResult } from './NewApiKeyDialog';
import { UsageExamples } from './UsageExamples';

const PAGE = 100;

const ClientApiKeysQuery = graphql(`
  query ApiKeysSection_ClientApiKeysQuery($clientId: ID!, $search: String, $includeRevoked: Boolean, $first: Int) {
    client(id: $clientId) {
      id
      apiKeys(search: $search, includeRevoked: $includeRevoked, first: $first) {
        edges {
          node {
            id
            ...ApiKeysTable_ApiKeyFragment
          }
        }
        totalCount
        pageInfo {
          hasNextPage
        }
      }
    }
  }
`);

const ViewerApiKeysQuery = graphql(`
  query ApiKeysSection_ViewerApiKeysQuery($search: String, $includeRevoked: Boolean, $first: Int) {
    viewer {
      id
      apiKeys(search: $search, includeRevoked: $includeRevoked, first: $first) {
        edges {
          node {
            id
            ...ApiKeysTable_ApiKeyFragment
          }
        }
        totalCount
        pageInfo {
          hasNextPage
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

// With urql's document cache, a result holding no ApiKey yet (an empty table) would not be
// refreshed by createApiKey; naming the type makes it so.
const keysContext = { additionalTypenames: ['ApiKey'] };

export interface ApiKeysSectionProps {
  /** The client whose keys these are, or null for the viewer's personal keys. */
  clientId: string | null;
  /** Shown in the New API Key dialog: "example-bot" or "your personal account". */
  ownerLabel: string;
  canCreate: boolean;
  canRevoke: boolean;
  /** A model name for the usage examples. */
  exampleModel?: string;
  /** Changes when live usage arrives: the table is fetched again. */
  refreshSignal?: number;
}

export function ApiKeysSection({ clientId, ownerLabel, canCreate, canRevoke, exampleModel, refreshSignal }: ApiKeysSectionProps) {
  const [search, setSearch] = useState('');
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const [first, setFirst] = useState(PAGE);
  const [creating, setCreating] = useState(false);
  const [showExamples, setShowExamples] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string; hint: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const debouncedSearch = useDebounced(search.trim(), 250);
  const variables = { search: debouncedSearch || null, includeRevoked, first };

  const [clientResult, reexecuteClient] = useQuery({
    query: ClientApiKeysQuery,
    variables: { clientId: clientId ?? '', ...variables },
    pause: clientId === null,
    context: useMemo(() => keysContext, []),
  });
  const [viewerResult, reexecuteViewer] = useQuery({
    query: ViewerApiKeysQuery,
    variables,
    pause: clientId !== null,
    context: useMemo(() => keysContext, []),
  });
  const result = clientId === null ? viewerResult : clientResult;
  const reexecute = clientId === null ? reexecuteViewer : reexecuteClient;
  const connection = clientId === null ? viewerResult.data?.viewer.apiKeys : clientResult.data?.client?.apiKeys;

  useEffect(() => {
    if (refreshSignal) reexecute({ requestPolicy: 'network-only' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refreshSignal]);

  const [, createKey] = useMutation(CreateApiKeyMutation);
  const [, revokeKey] = useMutation(RevokeApiKeyMutation);

  const save = async (name: string): Promise<SaveKeyResult> => {
    const input = clientId ? { clientId, name } : { name };
    const res = await createKey({ input });
    const payload = res.data?.createApiKey;
    if (res.error || !payload) return { ok: false, error: errorMessage(res.error) ?? 'The key was not created.' };
    setNotice(`API key “${payload.apiKey.name}” created (${payload.apiKey.hint}).`);
    return { ok: true, secret: payload.secret, name: payload.apiKey.name, hint: payload.apiKey.hint };
  };

  const filtering = debouncedSearch.length > 0;
  const emptyText = filtering ? 'No API keys match your filter.' : includeRevoked ? 'No API keys yet.' : 'No active API keys.';

  return (
    <section className="section" aria-labelledby={`api-keys-heading-${clientId ?? 'viewer'}`}>
      <div className="section-header">
        <h2 id={`api-keys-heading-${clientId ?? 'viewer'}`}>API Keys</h2>
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
        <Toggle label="Show deleted keys" checked={includeRevoked} onChange={setIncludeRevoked} />
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
          {connection.pageInfo.hasNextPage && (
            <button type="button" className="button button-link" onClick={() => setFirst((n) => n + PAGE)}>
              Show more keys ({connection.edges.length} of {connection.totalCount} shown)
            </button>
          )}
          {result.error && <ErrorMessage>{errorMessage(result.error)}</ErrorMessage>}
        </>
      )}
      {creating && <NewApiKeyDialog ownerLabel={ownerLabel} onSave={save} onClose={() => setCreating(false)} />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const res = await revokeKey({ input: { id: revoking.id } });
            if (res.error) return errorMessage(res.error);
            setNotice(`API key “${revoking.name}” revoked. It is listed under Show deleted keys.`);
            return null;
          }}
        >
          <p>
            Requests with <code>{revoking.hint}</code> fail from now on. This cannot be undone; the key stays listed under Show deleted
            keys.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
