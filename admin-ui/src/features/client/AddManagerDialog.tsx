import { useEffect, useId, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import { useAdminPermissions } from '../../components/AdminsOnly';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { useDebounced } from '../../lib/hooks';
import { initialFromSearch, NewUserForm } from '../users/NewUserForm';

const UsersQuery = graphql(`
  query AddManagerDialog_UsersQuery($search: String!, $first: Int) {
    users(search: $search, first: $first) {
      id
      name
      email
    }
  }
`);

const AddClientManagerMutation = graphql(`
  mutation AddManagerDialog_AddClientManagerMutation($input: AddClientManagerInput!) {
    addClientManager(input: $input) {
      client {
        id
        managers {
          addedAt
          user {
            id
            name
            email
          }
        }
      }
    }
  }
`);

type Candidate = { id: string; name: string; email: string };

/** Type-ahead search over users (combobox + listbox), pick one, then Add Manager. */
export function AddManagerDialog({
  clientId,
  clientName,
  existingManagerIds,
  onClose,
  onAdded,
}: {
  clientId: string;
  clientName: string;
  existingManagerIds: string[];
  onClose: () => void;
  onAdded: (name: string) => void;
}) {
  const inputId = useId();
  const listId = useId();
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<Candidate | null>(null);
  const [highlight, setHighlight] = useState(0);
  const [listOpen, setListOpen] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  // "No user matches": admins who manage users may create one here, from what they typed.
  const canCreateUser = useAdminPermissions().can.manageUsers;
  const [creating, setCreating] = useState<{ name: string; email: string } | null>(null);
  const stepRef = useRef<HTMLDivElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const [focusAdd, setFocusAdd] = useState(false);
  const debounced = useDebounced(search.trim(), 200);
  const [{ data, fetching, error }] = useQuery({
    query: UsersQuery,
    variables: { search: debounced, first: 8 },
    pause: debounced.length === 0,
  });
  const [{ fetching: adding }, addManager] = useMutation(AddClientManagerMutation);

  const users = debounced.length > 0 ? (data?.users ?? []) : [];
  const showList = listOpen && debounced.length > 0 && !picked;
  const optionId = (i: number) => `${listId}-option-${i}`;

  // Each step change moves focus: into the new user's first empty field, or back to Add Manager.
  useEffect(() => {
    if (!creating) return;
    const inputs = Array.from(stepRef.current?.querySelectorAll<HTMLInputElement>('input:not([type="checkbox"])') ?? []);
    (inputs.find((input) => !input.value) ?? inputs[0])?.focus();
  }, [creating]);
  useEffect(() => {
    if (!focusAdd) return;
    addRef.current?.focus();
    setFocusAdd(false);
  }, [focusAdd]);

  const pick = (user: Candidate) => {
    if (existingManagerIds.includes(user.id)) return;
    setPicked(user);
    setSearch(`${user.name} <${user.email}>`);
    setListOpen(false);
    setSubmitError(null);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (!showList || users.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setHighlight((h) => (h + 1) % users.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setHighlight((h) => (h - 1 + users.length) % users.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const user = users[highlight];
      if (user) pick(user);
    } else if (e.key === 'Escape') {
      // Close the suggestions first; a second Escape closes the dialog.
      e.preventDefault();
      e.stopPropagation();
      setListOpen(false);
    }
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!picked) return;
    setSubmitError(null);
    const result = await addManager({ input: { clientId, userId: picked.id } });
    if (result.error) {
      setSubmitError(errorMessage(result.error));
      return;
    }
    onAdded(picked.name);
    onClose();
  };

  const noMatch = debounced.length > 0 && !picked && !fetching && !error && data !== undefined && users.length === 0;

  return (
    <Dialog
      title="Add Manager"
      description={`Managers can see ${clientName}, create and revoke its API keys and grant model consent.`}
      onClose={onClose}
    >
      {creating ? (
        <div ref={stepRef} className="dialog-step">
          <h3 className="step-heading">Create user</h3>
          <NewUserForm
            initial={creating}
            submitLabel="Create user"
            onCancel={() => setCreating(null)}
            onCreated={(user) => {
              setCreating(null);
              pick(user);
              setFocusAdd(true);
            }}
          />
        </div>
      ) : (
        <form onSubmit={submit} className="form">
          <div className="field combobox">
            <label htmlFor={inputId}>Name or email</label>
            <input
              id={inputId}
              data-autofocus
              type="text"
              role="combobox"
              autoComplete="off"
              aria-autocomplete="list"
              aria-expanded={showList}
              aria-controls={listId}
              aria-activedescendant={showList && users[highlight] ? optionId(highlight) : undefined}
              placeholder="Start typing a name or email…"
              value={search}
              onChange={(e) => {
                setSearch(e.target.value);
                setPicked(null);
                setHighlight(0);
                setListOpen(true);
              }}
              onKeyDown={onKeyDown}
            />
            <ul id={listId} role="listbox" aria-label="Matching users" className="listbox" hidden={!showList}>
              {showList && fetching && users.length === 0 && <li className="listbox-note">Searching…</li>}
              {showList && !fetching && !error && users.length === 0 && <li className="listbox-note">No user matches “{debounced}”.</li>}
              {showList &&
                users.map((user, i) => {
                  const already = existingManagerIds.includes(user.id);
                  return (
                    <li
                      key={user.id}
                      id={optionId(i)}
                      role="option"
                      aria-selected={i === highlight}
                      aria-disabled={already || undefined}
                      className={`listbox-option${i === highlight ? ' highlighted' : ''}${already ? ' disabled' : ''}`}
                      onMouseEnter={() => setHighlight(i)}
                      onMouseDown={(e) => e.preventDefault()}
                      onClick={() => pick(user)}
                    >
                      <span className="option-name">{user.name}</span>
                      <span className="option-email">{user.email}</span>
                      {already && <span className="option-note">already a manager</span>}
                    </li>
                  );
                })}
            </ul>
          </div>
          {noMatch && canCreateUser && (
            <p className="field-help">
              Not a user of Lumen yet?{' '}
              <button type="button" className="button button-link" onClick={() => setCreating(initialFromSearch(debounced))}>
                Create user “{debounced}”
              </button>
            </p>
          )}
          {error && <ErrorMessage>{errorMessage(error)}</ErrorMessage>}
          {submitError && <ErrorMessage>{submitError}</ErrorMessage>}
          <div className="dialog-footer">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button ref={addRef} type="submit" className="button button-primary" disabled={!picked || adding}>
              {adding ? 'Adding…' : 'Add Manager'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
