import { useId, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { CoinPoolState } from '../../gql/graphql';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage } from '../../components/ui';
import { errorMessage } from '../../lib/errors';

export const CoinPoolSettings_ClientFragment = graphql(`
  fragment CoinPoolSettings_ClientFragment on Client {
    id
    name
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
        ...CoinPoolSettings_ClientFragment
      }
    }
  }
`);

const UNITS = [
  { seconds: 60, label: 'minutes' },
  { seconds: 3600, label: 'hours' },
  { seconds: 86400, label: 'days' },
] as const;

function splitInterval(seconds: number | undefined): { count: string; unit: number } {
  if (!seconds) return { count: '1', unit: 3600 };
  for (const u of [...UNITS].reverse()) {
    if (seconds % u.seconds === 0) return { count: String(seconds / u.seconds), unit: u.seconds };
  }
  return { count: String(Math.max(1, Math.round(seconds / 60))), unit: 60 };
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Admin-only: the pool's state, capacity, balance and auto-refill. */
export function CoinPoolSettingsButton(props: { client: FragmentType<typeof CoinPoolSettings_ClientFragment> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Coin pool settings
      </button>
      {open && <CoinPoolSettingsDialog client={props.client} onClose={() => setOpen(false)} />}
    </>
  );
}

export function CoinPoolSettingsDialog(props: { client: FragmentType<typeof CoinPoolSettings_ClientFragment>; onClose: () => void }) {
  const client = getFragmentData(CoinPoolSettings_ClientFragment, props.client);
  const id = useId();
  const initialInterval = splitInterval(client.coinRefill?.intervalSeconds);
  const [state, setState] = useState<CoinPoolState>(client.coinPool.state);
  const [capacity, setCapacity] = useState(client.coinPool.capacity ?? '');
  const [balance, setBalance] = useState(client.coinPool.balance ?? '');
  const [refill, setRefill] = useState(client.coinRefill !== null && client.coinRefill !== undefined);
  const [refillAmount, setRefillAmount] = useState(client.coinRefill?.amount ?? '');
  const [intervalCount, setIntervalCount] = useState(initialInterval.count);
  const [intervalUnit, setIntervalUnit] = useState(initialInterval.unit);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, save] = useMutation(SetClientCoinPoolMutation);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: {
      clientId: string;
      state: CoinPoolState;
      capacity?: string | null;
      balance?: string | null;
      refillAmount?: string | null;
      refillIntervalSeconds?: number | null;
    } = { clientId: client.id, state };
    if (state === 'LIMITED') {
      if (!DECIMAL.test(capacity.trim())) return setError('Capacity must be a number of coins, for example 100 or 12.5.');
      if (!DECIMAL.test(balance.trim())) return setError('Balance must be a number of coins, for example 100 or 12.5.');
      input.capacity = capacity.trim();
      input.balance = balance.trim();
      if (refill) {
        if (!DECIMAL.test(refillAmount.trim())) return setError('Refill amount must be a number of coins.');
        const count = Number(intervalCount);
        if (!Number.isInteger(count) || count < 1) return setError('The refill interval must be a whole number, 1 or more.');
        input.refillAmount = refillAmount.trim();
        input.refillIntervalSeconds = count * intervalUnit;
      } else {
        input.refillAmount = null;
        input.refillIntervalSeconds = null;
      }
    }
    const result = await save({ input });
    if (result.error) return setError(errorMessage(result.error));
    props.onClose();
  };

  return (
    <Dialog title="Coin pool settings" description={`The coin budget of ${client.name}.`} onClose={props.onClose}>
      <form className="form" onSubmit={submit} noValidate>
        <fieldset className="field">
          <legend>Pool</legend>
          {(
            [
              ['NOT_CONFIGURED', 'Not configured'],
              ['UNLIMITED', 'Unlimited'],
              ['LIMITED', 'Limited'],
            ] as const
          ).map(([value, label], i) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name={`${id}-state`}
                value={value}
                checked={state === value}
                data-autofocus={i === 0 ? true : undefined}
                onChange={() => setState(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {state === 'LIMITED' && (
          <>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-capacity`}>Capacity (coins)</label>
                <input id={`${id}-capacity`} inputMode="decimal" value={capacity} onChange={(e) => setCapacity(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor={`${id}-balance`}>Balance (coins)</label>
                <input id={`${id}-balance`} inputMode="decimal" value={balance} onChange={(e) => setBalance(e.target.value)} />
              </div>
            </div>
            <label className="toggle">
              <input type="checkbox" checked={refill} onChange={(e) => setRefill(e.target.checked)} />
              <span>Refill automatically</span>
            </label>
            {refill && (
              <div className="field-row">
                <div className="field">
                  <label htmlFor={`${id}-refill`}>Add (coins)</label>
                  <input id={`${id}-refill`} inputMode="decimal" value={refillAmount} onChange={(e) => setRefillAmount(e.target.value)} />
                </div>
                <div className="field">
                  <label htmlFor={`${id}-every`}>Every</label>
                  <div className="inline-inputs">
                    <input
                      id={`${id}-every`}
                      inputMode="numeric"
                      value={intervalCount}
                      onChange={(e) => setIntervalCount(e.target.value)}
                    />
                    <select aria-label="Interval unit" value={intervalUnit} onChange={(e) => setIntervalUnit(Number(e.target.value))}>
                      {UNITS.map((u) => (
                        <option key={u.seconds} value={u.seconds}>
                          {u.label}
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
              </div>
            )}
          </>
        )}
        {state === 'UNLIMITED' && <p className="field-help">Requests are never refused for lack of coins.</p>}
        {state === 'NOT_CONFIGURED' && <p className="field-help">No budget is set for this client.</p>}
        {error && <ErrorMessage>{error}</ErrorMessage>}
        <div className="dialog-footer">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={fetching}>
            {fetching ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
