import { useEffect, useEffectEvent, useId, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { ErrorMessage, SearchBox, Spinner } from '../../components/ui';
import { Pager } from '../../components/Pager';
import { StaleNote } from '../../connection/StaleNote';
import { errorMessage } from '../../lib/errors';
import { fieldErrors } from '../../lib/fieldErrors';
import { clientPath } from '../../lib/format';
import { useDebounced } from '../../lib/hooks';
import { useViewer } from '../layout/Layout';
import { ClientsTable } from './ClientsTable';

const PAGE_SIZE = 25;

const ClientsQuery = graphql(`
  query ClientsPage_ClientsQuery($search: String, $first: Int, $after: String) {
    clients(search: $search, first: $first, after: $after) {
      edges {
        node {
          id
          name
          active
          usage {
            requests
            totalTokens
            coinsSpent
          }
          coinPool {
            state
            balance
          }
        }
      }
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ViewerCanQuery = graphql(`
  query ClientsPage_ViewerCanQuery {
    viewerCan {
      createClient
    }
  }
`);

const CreateClientMutation = graphql(`
  mutation ClientsPage_CreateClientMutation($input: CreateClientInput!) {
    createClient(input: $input) {
      client {
        id
        name
      }
    }
  }
`);

export function ClientsPage() {
  const viewer = useViewer();
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const debounced = useDebounced(search.trim(), 250);
  // Forward-only relay pagination; the cursors seen so far let "Previous" go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];

  const initialSearch = useRef(debounced);
  // An effect event: setParams changes identity on every navigation, and only a new search term
  // should start the list over and go into the address.
  const searchChanged = useEffectEvent((term: string) => {
    setCursors([null]);
    setParams(term ? { q: term } : {}, { replace: true });
  });
  useEffect(() => {
    if (initialSearch.current === debounced) return;
    initialSearch.current = debounced;
    searchChanged(debounced);
  }, [debounced]);
  useEffect(() => {
    document.title = 'Clients · Lumen';
  }, []);

  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ClientsQuery,
    variables: { search: debounced || null, first: PAGE_SIZE, after },
  });
  const connection = data?.clients;
  const [{ data: can }] = useQuery({ query: ViewerCanQuery });
  const canCreate = can?.viewerCan.createClient ?? false;

  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title-row">
          <h1>Clients</h1>
        </div>
        <p className="muted">{viewer.isAdmin ? 'Every client of this Lumen instance.' : 'The clients you manage.'}</p>
      </header>
      {canCreate && <NewClientForm />}
      <section className="section" aria-label="Client list">
        <div className="table-toolbar">
          <span className="muted" aria-live="polite">
            {fetching ? 'Loading…' : connection ? `${connection.totalCount} client${connection.totalCount === 1 ? '' : 's'}` : ''}
          </span>
          <SearchBox label="Search clients by name" placeholder="Search clients…" value={search} onChange={setSearch} />
        </div>
        <StaleNote />
        {error && !connection ? (
          <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
        ) : !connection ? (
          <Spinner label="Loading clients…" />
        ) : (
          <ClientsTable
            clients={connection.edges.map((edge) => edge.node)}
            emptyText={
              debounced
                ? `No client matches “${debounced}”.`
                : canCreate
                  ? 'No clients yet. Create the first one above.'
                  : 'You do not manage any clients yet. An admin can add you as a manager.'
            }
          />
        )}
        {connection && <Pager cursors={cursors} setCursors={setCursors} pageInfo={connection.pageInfo} />}
      </section>
    </div>
  );
}

/** No maxLength on the name: a long name is refused by the API with its limit, said beside the field, never cut while typing. */
function NewClientForm() {
  const id = useId();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const [{ fetching }, createClient] = useMutation(CreateClientMutation);
  const refuseName = (message: string) => {
    setNameError(message);
    nameInput.current?.focus();
  };
  return (
    <form
      className="inline-form card"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        if (!name.trim()) return refuseName('Give the client a name, for example example-bot.');
        setNameError(null);
        const result = await createClient({ input: { name: name.trim() } });
        const client = result.data?.createClient.client;
        if (result.error || !client) {
          const { byField, other } = fieldErrors(result.error, ['name'] as const);
          if (byField.name) refuseName(byField.name);
          return setError(other ?? (byField.name ? null : 'The client was not created.'));
        }
        navigate(clientPath(client.id));
      }}
      noValidate
    >
      <div className="field">
        <label htmlFor={id}>New client</label>
        <div className="inline-inputs">
          <input
            ref={nameInput}
            id={id}
            value={name}
            placeholder="Name, for example example-bot"
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? `${id}-error` : undefined}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
          />
          <button type="submit" className="button button-primary" disabled={fetching}>
            {fetching ? 'Creating…' : 'Create client'}
          </button>
        </div>
        {nameError && (
          <p id={`${id}-error`} className="field-error">
            {nameError}
          </p>
        )}
      </div>
      {error && <ErrorMessage>{error}</ErrorMessage>}
    </form>
  );
}
