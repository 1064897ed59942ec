import { useCallback, useId, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { getFragmentData, graphql } from '../../gql';
import type { BudgetAlertsSection_BudgetAlertsFragmentFragment } from '../../gql/graphql';
import { Dialog } from '../../components/Dialog';
import { FormField } from '../../components/FormField';
import { FormFooter } from '../../components/FormFooter';
import { SecretShownOnceDialog } from '../../components/SecretShownOnceDialog';
import { Badge, EmptyRow, ErrorMessage, type BadgeTone } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { fieldErrors } from '../../lib/fieldErrors';
import { formatCoins, formatDateTime } from '../../lib/format';
import { useRefreshWhile } from '../../lib/hooks';

// The section loads its own data (it is shown only to those who may change it), so the client
// page's query stays as it is.
export const BudgetAlertsQuery = graphql(`
  query BudgetAlertsSection_BudgetAlertsQuery($id: ID!) {
    client(id: $id) {
      id
      viewerCan {
        setBudgetAlerts
      }
      budgetAlerts {
        ...BudgetAlertsSection_BudgetAlertsFragment
      }
    }
  }
`);

export const BudgetAlertsSection_BudgetAlertsFragment = graphql(`
  fragment BudgetAlertsSection_BudgetAlertsFragment on BudgetAlerts {
    enabled
    webhookUrl
    secretHint
    thresholds {
      percent
      armed
      firedAt
    }
    deliveries(first: 10) {
      eventId
      thresholdPercent
      balance
      capacity
      at
      status
      nextAttemptAt
      attempts {
        at
        httpStatus
        error
      }
    }
  }
`);

const SetBudgetAlertsMutation = graphql(`
  mutation BudgetAlertsSection_SetBudgetAlertsMutation($input: SetClientBudgetAlertsInput!) {
    setClientBudgetAlerts(input: $input) {
      signingSecret
      client {
        id
        budgetAlerts {
          ...BudgetAlertsSection_BudgetAlertsFragment
        }
      }
    }
  }
`);

type Alerts = BudgetAlertsSection_BudgetAlertsFragmentFragment;

const STATUS: Record<Alerts['deliveries'][number]['status'], { label: string; tone: BadgeTone }> = {
  PENDING: { label: 'Retrying', tone: 'amber' },
  DELIVERED: { label: 'Delivered', tone: 'green' },
  FAILED: { label: 'Failed', tone: 'red' },
  CANCELLED: { label: 'Cancelled', tone: 'gray' },
};

/** How often the section reads its deliveries again while one is being retried. */
export const PENDING_REFRESH_MS = 10_000;

/** A client's budget alert webhook, its thresholds and its recent deliveries; for those who may change them. */
export function BudgetAlertsSection({ clientId }: { clientId: string }) {
  const [{ data, error }, reexecute] = useQuery({ query: BudgetAlertsQuery, variables: { id: clientId } });
  const [editing, setEditing] = useState(false);
  const client = data?.client;
  // While a delivery is being retried, its next attempt shows without a reload: the page's
  // subscription says when a threshold fires (BUDGET_LOW), not how each attempt went.
  const retrying = Boolean(
    client?.budgetAlerts &&
    getFragmentData(BudgetAlertsSection_BudgetAlertsFragment, client.budgetAlerts).deliveries.some((d) => d.status === 'PENDING'),
  );
  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefreshWhile(retrying, refresh, PENDING_REFRESH_MS);
  if (error && !client) {
    return (
      <section className="section" aria-labelledby="budget-alerts-heading">
        <h2 id="budget-alerts-heading">Budget Alerts</h2>
        <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
      </section>
    );
  }
  if (!client?.viewerCan.setBudgetAlerts) return null;
  const alerts = getFragmentData(BudgetAlertsSection_BudgetAlertsFragment, client.budgetAlerts);
  return (
    <section className="section" aria-labelledby="budget-alerts-heading">
      <div className="section-header">
        <h2 id="budget-alerts-heading">Budget Alerts</h2>
        <button type="button" className="button" onClick={() => setEditing(true)}>
          {alerts.enabled ? 'Edit Budget Alerts' : 'Set Up Budget Alerts'}
        </button>
      </div>
      {alerts.enabled ? (
        <div className="cards">
          <SettingCard label="Webhook">
            <p className="card-value truncate" title={alerts.webhookUrl ?? undefined}>
              <code>{alerts.webhookUrl}</code>
            </p>
          </SettingCard>
          <SettingCard label="Thresholds">
            <ul className="card-note" aria-label="Thresholds">
              {alerts.thresholds.map((t) => (
                <li key={t.percent}>
                  {t.percent}% of capacity{' '}
                  {t.armed ? (
                    <Badge tone="blue">Armed</Badge>
                  ) : (
                    <Badge tone="amber" title={`Fired ${formatDateTime(t.firedAt)}; armed again when a refill lifts the balance to it`}>
                      Fired
                    </Badge>
                  )}
                </li>
              ))}
            </ul>
          </SettingCard>
          <SettingCard label="Signing Secret">
            <p className="card-value">
              <code>{alerts.secretHint}</code>
            </p>
            <p className="card-note">Shown once when made; replace it under Edit Budget Alerts.</p>
          </SettingCard>
        </div>
      ) : (
        <p className="muted">
          No alerts. Set up a webhook to hear when this client&apos;s LIMITED coin pool falls below a share of its capacity.
        </p>
      )}
      <DeliveriesTable deliveries={alerts.deliveries} />
      {editing && <BudgetAlertsDialog clientId={clientId} alerts={alerts} onClose={() => setEditing(false)} />}
    </section>
  );
}

function SettingCard({ label, children }: { label: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <div className="card" role="group" aria-labelledby={id}>
      <h3 className="card-label" id={id}>
        {label}
      </h3>
      {children}
    </div>
  );
}

function DeliveriesTable({ deliveries }: { deliveries: Alerts['deliveries'] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption>Recent deliveries</caption>
        <thead>
          <tr>
            <th scope="col">Threshold</th>
            <th scope="col">Balance</th>
            <th scope="col">Crossed</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.length === 0 && <EmptyRow colSpan={5}>No alerts sent yet.</EmptyRow>}
          {deliveries.map((d) => (
            <tr key={d.eventId}>
              <td>{d.thresholdPercent}%</td>
              <td>
                {formatCoins(d.balance)} of {formatCoins(d.capacity)}
              </td>
              <td>{formatDateTime(d.at)}</td>
              <td>
                <Badge tone={STATUS[d.status].tone}>{STATUS[d.status].label}</Badge>
                {d.status === 'PENDING' && d.nextAttemptAt && <span className="cell-sub"> next {formatDateTime(d.nextAttemptAt)}</span>}
              </td>
              <td>
                {d.attempts.length === 0 ? (
                  'None yet'
                ) : (
                  <ol aria-label={`Attempts for the ${d.thresholdPercent}% alert`}>
                    {d.attempts.map((a, i) => (
                      <li key={i}>
                        {formatDateTime(a.at)}: {a.httpStatus != null ? `HTTP ${a.httpStatus}` : 'no answer'}
                        {a.error ? ` (${a.error})` : ''}
                      </li>
                    ))}
                  </ol>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "75, 50 20%" as whole percentages; null when any part is not one from 1 to 99, or one repeats. */
export function parseThresholds(text: string): number[] | null {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.replace(/%$/, ''))
    .filter(Boolean);
  if (!parts.every((p) => /^\d{1,2}$/.test(p) && Number(p) >= 1)) return null;
  const numbers = parts.map(Number);
  return new Set(numbers).size === numbers.length ? numbers : null;
}

type Field = 'webhookUrl' | 'thresholdsPercent';

export function BudgetAlertsDialog(props: { clientId: string; alerts: Alerts; onClose: () => void }) {
  const id = useId();
  const [webhookUrl, setWebhookUrl] = useState(props.alerts.webhookUrl ?? '');
  const [thresholds, setThresholds] = useState(
    props.alerts.enabled ? props.alerts.thresholds.map((t) => t.percent).join(', ') : '75, 50, 25',
  );
  const [rotate, setRotate] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [other, setOther] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ secret: string; hint: string } | null>(null);
  const [{ fetching }, save] = useMutation(SetBudgetAlertsMutation);

  const send = async (input: { webhookUrl: string | null; thresholdsPercent: number[]; rotateSecret: boolean }) => {
    setOther(null);
    const result = await save({ input: { clientId: props.clientId, ...input } });
    if (result.error) {
      const { byField, other } = fieldErrors(result.error, ['webhookUrl', 'thresholdsPercent'] as const);
      setErrors(byField);
      setOther(other);
      return;
    }
    const shown = result.data?.setClientBudgetAlerts.signingSecret;
    if (shown) setSecret({ secret: shown, hint: `${shown.slice(0, 4)}...${shown.slice(-4)}` });
    else props.onClose();
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parseThresholds(thresholds);
    const invalid: Partial<Record<Field, string>> = {};
    if (!webhookUrl.trim()) invalid.webhookUrl = 'Enter the https URL that receives the alerts.';
    if (!parsed || parsed.length === 0) invalid.thresholdsPercent = 'Enter whole percentages from 1 to 99, each once, such as 75, 50, 25.';
    setErrors(invalid);
    if (!parsed || parsed.length === 0 || !webhookUrl.trim()) return;
    await send({ webhookUrl: webhookUrl.trim(), thresholdsPercent: parsed, rotateSecret: rotate });
  };

  if (secret) {
    return (
      <SecretShownOnceDialog
        title="Copy the signing secret"
        what="signing secret"
        keepAt="your webhook receiver's secret store"
        label="Signing secret"
        secret={secret.secret}
        hint={secret.hint}
        onClose={props.onClose}
      >
        <p className="field-help">
          Each alert carries <code>Lumen-Signature: t=…,v1=…</code>: the hex HMAC-SHA256 of <code>t.body</code> keyed by this secret.
        </p>
      </SecretShownOnceDialog>
    );
  }

  return (
    <Dialog
      title="Budget alerts"
      description="Lumen POSTs a signed JSON alert to the webhook once each time the coin pool's balance falls below a threshold; a refill above it arms it again."
      onClose={props.onClose}
    >
      <form className="form" onSubmit={submit} noValidate>
        <FormField id={`${id}-url`} label="Webhook URL" help="An https address on the internet." error={errors.webhookUrl}>
          {(control) => (
            <input
              {...control}
              data-autofocus
              type="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://example.org/lumen-alerts"
              value={webhookUrl}
              onChange={(e) => {
                setWebhookUrl(e.target.value);
                setErrors((current) => ({ ...current, webhookUrl: undefined }));
              }}
            />
          )}
        </FormField>
        <FormField
          id={`${id}-thresholds`}
          label="Thresholds (% of capacity)"
          help="Whole percentages from 1 to 99, separated by commas; at most 10."
          error={errors.thresholdsPercent}
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              autoComplete="off"
              value={thresholds}
              onChange={(e) => {
                setThresholds(e.target.value);
                setErrors((current) => ({ ...current, thresholdsPercent: undefined }));
              }}
            />
          )}
        </FormField>
        {props.alerts.enabled && (
          <label className="toggle">
            <input type="checkbox" checked={rotate} onChange={(e) => setRotate(e.target.checked)} />
            <span>Replace the signing secret (the new one is shown once)</span>
          </label>
        )}
        {other && <ErrorMessage>{other}</ErrorMessage>}
        {props.alerts.enabled && (
          <button
            type="button"
            className="button button-danger-outline"
            disabled={fetching}
            onClick={() => void send({ webhookUrl: null, thresholdsPercent: [], rotateSecret: false })}
          >
            Turn Off Alerts
          </button>
        )}
        <FormFooter onCancel={props.onClose} busy={fetching} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
