import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { CoinPoolState } from '../../gql/graphql';
import { Dialog } from '../../components/Dialog';
import { FormField } from '../../components/FormField';
import { ErrorMessage } from '../../components/ui';
import { FormFooter } from '../../components/FormFooter';
import { fieldErrors } from '../../lib/fieldErrors';
import { API_FIELDS, poolProblems, type PoolField, type PoolValues } from './coinPoolForm';

/** The pool of a client, or of a user's personal keys: the same dialog for both. */
export const CoinPoolSettings_UsageOwnerFragment = graphql(`
  fragment CoinPoolSettings_UsageOwnerFragment on UsageOwner {
    __typename
    ... on Client {
      id
      name
    }
    ... on User {
      id
      name
    }
    coinPool {
      state
      balance
      capacity
    }
    coinRefill {
      amount
      intervalSeconds
    }
  }
`);

const SetClientCoinPoolMutation = graphql(`
  mutation CoinPoolSettings_SetClientCoinPoolMutation($input: SetClientCoinPoolInput!) {
    setClientCoinPool(input: $input) {
      client {
        id
        ...UsageCards_UsageOwnerFragment
        ...CoinPoolSettings_UsageOwnerFragment
      }
    }
  }
`);

const SetUserCoinPoolMutation = graphql(`
  mutation CoinPoolSettings_SetUserCoinPoolMutation($input: SetUserCoinPoolInput!) {
    setUserCoinPool(input: $input) {
      user {
        id
        ...UsageCards_UsageOwnerFragment
        ...CoinPoolSettings_UsageOwnerFragment
      }
    }
  }
`);

const UNITS = [
  { seconds: 1, label: 'seconds' },
  { seconds: 60, label: 'minutes' },
  { seconds: 3600, label: 'hours' },
  { seconds: 86400, label: 'days' },
] as const;

/** The refill interval in the largest unit that states it exactly (90 s stays 90 seconds, not 2 minutes). */
function splitInterval(seconds: number | undefined): { count: string; unit: number } {
  if (!seconds) return { count: '1', unit: 3600 };
  const unit = [...UNITS].reverse().find((u) => seconds % u.seconds === 0)!;
  return { count: String(seconds / unit.seconds), unit: unit.seconds };
}

/** Admin-only: the pool's state, capacity, balance and auto-refill. */
export function CoinPoolSettingsButton(props: { owner: FragmentType<typeof CoinPoolSettings_UsageOwnerFragment> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Coin pool settings
      </button>
      {open && <CoinPoolSettingsDialog owner={props.owner} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * Opens on the pool as it is (its state focused, the refill in the unit it was given in).
 * A problem shows beside its field (aria-invalid, described by the message) once Save was
 * pressed, and goes as soon as the value is fixed; the API's own objections to a field too.
 */
export function CoinPoolSettingsDialog(props: { owner: FragmentType<typeof CoinPoolSettings_UsageOwnerFragment>; onClose: () => void }) {
  const owner = getFragmentData(CoinPoolSettings_UsageOwnerFragment, props.owner);
  const id = useId();
  const initialInterval = splitInterval(owner.coinRefill?.intervalSeconds);
  const [state, setState] = useState<CoinPoolState>(owner.coinPool.state);
  const [values, setValues] = useState<PoolValues>({
    capacity: owner.coinPool.capacity ?? '',
    balance: owner.coinPool.balance ?? '',
    refill: owner.coinRefill !== null && owner.coinRefill !== undefined,
    refillAmount: owner.coinRefill?.amount ?? '',
    intervalCount: initialInterval.count,
    intervalUnit: initialInterval.unit,
  });
  // Checked from the first Save on, so a message goes as soon as its value is fixed.
  const [checked, setChecked] = useState(false);
  // The API's objection to a field, for the value it objected to.
  const [apiProblems, setApiProblems] = useState<Partial<Record<PoolField, { message: string; value: string }>>>({});
  const [error, setError] = useState<string | null>(null);
  const [{ fetching: savingClient }, saveClient] = useMutation(SetClientCoinPoolMutation);
  const [{ fetching: savingUser }, saveUser] = useMutation(SetUserCoinPoolMutation);
  const fetching = savingClient || savingUser;

  const limited = state === 'LIMITED';
  const valueOf = (field: PoolField) => (field === 'interval' ? `${values.intervalCount}×${values.intervalUnit}` : values[field]);
  const problems: Partial<Record<PoolField, string>> = limited && checked ? poolProblems(values) : {};
  for (const [field, problem] of Object.entries(apiProblems) as [PoolField, { message: string; value: string }][]) {
    if (limited && !problems[field] && problem.value === valueOf(field)) problems[field] = problem.message;
  }
  const set = <K extends keyof PoolValues>(key: K, value: PoolValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const fieldId = (field: PoolField) => `${id}-${field}`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setChecked(true);
    const input: {
      state: CoinPoolState;
      capacity?: string | null;
      balance?: string | null;
      refillAmount?: string | null;
      refillIntervalSeconds?: number | null;
    } = { state };
    if (limited) {
      const found = Object.keys(poolProblems(values)) as PoolField[];
      if (found.length > 0) {
        document.getElementById(fieldId(found[0]))?.focus();
        return;
      }
      input.capacity = values.capacity.trim();
      input.balance = values.balance.trim();
      input.refillAmount = values.refill ? values.refillAmount.trim() : null;
      input.refillIntervalSeconds = values.refill ? Number(values.intervalCount.trim()) * values.intervalUnit : null;
    }
    const result =
      owner.__typename === 'Client'
        ? await saveClient({ input: { ...input, clientId: owner.id } })
        : await saveUser({ input: { ...input, userId: owner.id } });
    if (result.error) {
      const { byField, other } = fieldErrors(result.error, Object.keys(API_FIELDS));
      const next: typeof apiProblems = {};
      for (const [apiField, message] of Object.entries(byField)) {
        const field = API_FIELDS[apiField];
        if (field && message) next[field] = { message, value: valueOf(field) };
      }
      setApiProblems(next);
      setError(other);
      const first = Object.keys(next)[0] as PoolField | undefined;
      if (first) document.getElementById(fieldId(first))?.focus();
      return;
    }
    props.onClose();
  };

  return (
    <Dialog
      title="Coin pool settings"
      description={
        owner.__typename === 'Client' ? `The coin budget of ${owner.name}.` : `The coin budget of ${owner.name}’s personal API keys.`
      }
      onClose={props.onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        <fieldset className="field">
          <legend>Pool</legend>
          {(
            [
              ['NOT_CONFIGURED', 'Not configured'],
              ['UNLIMITED', 'Unlimited'],
              ['LIMITED', 'Limited'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name={`${id}-state`}
                value={value}
                checked={state === value}
                data-autofocus={value === owner.coinPool.state ? true : undefined}
                onChange={() => setState(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {limited && (
          <>
            <div className="field-row">
              <FormField id={fieldId('capacity')} label="Capacity (coins)" error={problems.capacity} alert>
                {(control) => (
                  <input {...control} inputMode="decimal" value={values.capacity} onChange={(e) => set('capacity', e.target.value)} />
                )}
              </FormField>
              <FormField id={fieldId('balance')} label="Balance (coins)" error={problems.balance} alert>
                {(control) => (
                  <input {...control} inputMode="decimal" value={values.balance} onChange={(e) => set('balance', e.target.value)} />
                )}
              </FormField>
            </div>
            <label className="toggle">
              <input type="checkbox" checked={values.refill} onChange={(e) => set('refill', e.target.checked)} />
              <span>Refill automatically</span>
            </label>
            {values.refill && (
              <div className="field-row">
                <FormField id={fieldId('refillAmount')} label="Add (coins)" error={problems.refillAmount} alert>
                  {(control) => (
                    <input
                      {...control}
                      inputMode="decimal"
                      value={values.refillAmount}
                      onChange={(e) => set('refillAmount', e.target.value)}
                    />
                  )}
                </FormField>
                <FormField id={fieldId('interval')} label="Every" error={problems.interval} alert>
                  {(control) => (
                    <div className="inline-inputs">
                      <input
                        {...control}
                        inputMode="numeric"
                        value={values.intervalCount}
                        onChange={(e) => set('intervalCount', e.target.value)}
                      />
                      <select
                        aria-label="Interval unit"
                        value={values.intervalUnit}
                        onChange={(e) => set('intervalUnit', Number(e.target.value))}
                      >
                        {UNITS.map((u) => (
                          <option key={u.seconds} value={u.seconds}>
                            {u.label}
                          </option>
                        ))}
                      </select>
                    </div>
                  )}
                </FormField>
              </div>
            )}
          </>
        )}
        {state === 'UNLIMITED' && <p className="field-help">Requests are never refused for lack of coins.</p>}
        {state === 'NOT_CONFIGURED' && (
          <p className="field-help">No budget is set for {owner.__typename === 'Client' ? 'this client' : 'these personal keys'}.</p>
        )}
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <FormFooter onCancel={props.onClose} busy={fetching} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
