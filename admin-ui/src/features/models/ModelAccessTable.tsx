import { useId, useMemo, useState } from 'react';
import { useMutation } from 'urql';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Badge, EmptyRow, ErrorMessage, SearchBox, SuccessMessage, Toggle, type BadgeTone } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { coinsToNumber, formatCoins, formatDateTime, formatInt } from '../../lib/format';
import { ownerInput } from '../../lib/owner';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { useSortedRows } from '../../lib/sort';
import { ConsentNotice } from './ConsentNotice';
import { HEALTH, ModelHealthBadge } from './ModelHealth';
import { useConnection } from '../../connection/useConnection';

export const ModelAccessTable_ModelAccessFragment = graphql(`
  fragment ModelAccessTable_ModelAccessFragment on ModelAccess {
    status
    setting
    callable
    refusal
    refusalReason
    lastUsedAt
    usage {
      requests
      totalTokens
      coinsSpent
    }
    model {
      id
      name
      provider
      disabled
      status
      needsConsent
      consentNotice
      defaultAccess
    }
  }
`);

/** The owner whose access this is: a client, or the viewer (personal keys). */
export const ModelAccessTable_UsageOwnerFragment = graphql(`
  fragment ModelAccessTable_UsageOwnerFragment on UsageOwner {
    __typename
    ... on Node {
      id
    }
    modelAccess {
      ...ModelAccessTable_ModelAccessFragment
    }
  }
`);

const SetClientModelAccessMutation = graphql(`
  mutation ModelAccessTable_SetClientModelAccessMutation($input: SetClientModelAccessInput!) {
    setClientModelAccess(input: $input) {
      client {
        id
        modelAccess {
          ...ModelAccessTable_ModelAccessFragment
        }
      }
    }
  }
`);

const GrantModelConsentMutation = graphql(`
  mutation ModelAccessTable_GrantModelConsentMutation($input: GrantModelConsentInput!) {
    grantModelConsent(input: $input) {
      modelAccess {
        ...ModelAccessTable_ModelAccessFragment
      }
    }
  }
`);

type AccessRow = ResultOf<typeof ModelAccessTable_ModelAccessFragment>;
type Status = AccessRow['status'];
type AccessSetting = AccessRow['setting'];

const RULE_LABEL: Record<AccessSetting, string> = {
  DEFAULT: 'Follows the model default',
  ALLOWED: 'Allowed',
  BLOCKED: 'Blocked',
};

const ACCESS: Record<Status, { label: string; tone: BadgeTone; order: number }> = {
  ALLOWED: { label: '✓ Allowed', tone: 'green', order: 0 },
  CONSENTED: { label: '✓ Consented', tone: 'blue', order: 1 },
  NEEDS_CONSENT: { label: 'Needs Consent', tone: 'amber', order: 2 },
  BLOCKED: { label: '✕ Blocked', tone: 'red', order: 5 },
};

type Refusal = NonNullable<AccessRow['refusal']>;

/**
 * The status speaks for rules and consent only; a call also needs a coin pool that can pay.
 * A row whose every call is refused shows why (ModelAccess.refusal), never a green "Allowed".
 */
const REFUSAL: Record<Refusal, { label: string; tone: BadgeTone; order: number }> = {
  NEEDS_CONSENT: ACCESS.NEEDS_CONSENT,
  NO_COINS: { label: '✕ No coins left', tone: 'red', order: 3 },
  NO_COIN_POOL: { label: '✕ No coin pool', tone: 'red', order: 4 },
  BLOCKED: ACCESS.BLOCKED,
  MODEL_DISABLED: { label: '✕ Model disabled', tone: 'gray', order: 6 },
};

function accessOf(r: AccessRow): { label: string; tone: BadgeTone; order: number } {
  if (!r.callable && r.refusal) return REFUSAL[r.refusal] ?? { label: r.refusal, tone: 'gray', order: 9 };
  return ACCESS[r.status] ?? { label: r.status, tone: 'gray', order: 9 };
}

type Column = 'model' | 'requests' | 'tokens' | 'coins' | 'lastUsed' | 'access' | 'status';

const accessors: Record<Column, (r: AccessRow) => string | number | null> = {
  model: (r) => r.model.name,
  requests: (r) => Number(r.usage.requests),
  tokens: (r) => Number(r.usage.totalTokens),
  coins: (r) => coinsToNumber(r.usage.coinsSpent),
  lastUsed: (r) => (r.lastUsedAt ? Date.parse(r.lastUsedAt) : null),
  access: (r) => accessOf(r).order,
  status: (r) => HEALTH[r.model.status]?.order ?? 9,
};

const columns: SortColumn<Column>[] = [
  { key: 'model', label: 'Model' },
  { key: 'requests', label: 'Requests', align: 'right' },
  { key: 'tokens', label: 'Tokens', align: 'right' },
  { key: 'coins', label: 'Coins', align: 'right' },
  { key: 'lastUsed', label: 'Last Used' },
  { key: 'access', label: 'Access' },
  { key: 'status', label: 'Status' },
];

export function ModelAccessTable(props: {
  owner: FragmentType<typeof ModelAccessTable_UsageOwnerFragment>;
  canGrantConsent: boolean;
  /** Admins: a per-model rule (default / allow / block) for this client (clients only). */
  canSetAccess?: boolean;
  /** "all API keys of example-bot" / "your personal API keys" */
  consentScope: string;
}) {
  const owner = getFragmentData(ModelAccessTable_UsageOwnerFragment, props.owner);
  const rows = getFragmentData(ModelAccessTable_ModelAccessFragment, owner.modelAccess);
  const headingId = useId();
  const [search, setSearch] = useState('');
  const [showDisabled, setShowDisabled] = useState(false);
  const [consentFor, setConsentFor] = useState<AccessRow['model'] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [, grantConsent] = useMutation(GrantModelConsentMutation);
  const [, setAccess] = useMutation(SetClientModelAccessMutation);
  const [saving, setSaving] = useState<string | null>(null);
  const [ruleError, setRuleError] = useState<string | null>(null);
  // Rules are set per client; personal keys follow the models' defaults.
  const { clientId } = ownerInput(owner);
  const showRules = Boolean(props.canSetAccess && clientId);

  const changeRule = async (clientId: string, modelId: string, modelName: string, access: AccessSetting) => {
    setSaving(modelId);
    setRuleError(null);
    setNotice(null);
    const res = await setAccess({ input: { clientId, modelId, access } });
    setSaving(null);
    if (res.error) setRuleError(errorMessage(res.error));
    else setNotice(`${modelName}: ${RULE_LABEL[access].toLowerCase()} for ${props.consentScope}.`);
  };

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return rows.filter(
      (r) =>
        (showDisabled || !r.model.disabled) &&
        (!needle || r.model.name.toLowerCase().includes(needle) || r.model.provider.toLowerCase().includes(needle)),
    );
  }, [rows, search, showDisabled]);
  const { sorted, sort, toggle } = useSortedRows(visible, accessors, { key: 'model', direction: 'asc' });
  // Counters not kept live while Lumen is out of reach are shown as such (src/connection).
  const { stale } = useConnection();
  const hiddenDisabled = rows.filter((r) => r.model.disabled).length;

  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId}>Model Access</h2>
      </div>
      {notice && <SuccessMessage>{notice}</SuccessMessage>}
      {ruleError && <ErrorMessage>{ruleError}</ErrorMessage>}
      <div className="table-toolbar">
        <Toggle
          label={`Show disabled${hiddenDisabled > 0 ? ` (${hiddenDisabled})` : ''}`}
          checked={showDisabled}
          onChange={setShowDisabled}
        />
        <SearchBox label="Search models by name" value={search} onChange={setSearch} />
      </div>
      <div className="table-wrap" data-stale={stale || undefined}>
        <table className="table">
          <thead>
            <tr>
              <SortHeaders columns={columns} sort={sort} onSort={toggle} />
              {showRules && <th scope="col">Rule</th>}
            </tr>
          </thead>
          <tbody>
            {sorted.length === 0 && (
              <EmptyRow colSpan={showRules ? 8 : 7}>
                {rows.length === 0 ? 'No models are configured yet.' : 'No models match your filter.'}
              </EmptyRow>
            )}
            {sorted.map((r) => (
              <tr key={r.model.id} className={r.model.disabled ? 'row-muted' : undefined}>
                <th scope="row" data-label="Model" className="cell-strong">
                  {r.model.name}
                  <span className="cell-sub">{r.model.provider}</span>
                </th>
                <td data-label="Requests" className="num">
                  {formatInt(r.usage.requests)}
                </td>
                <td data-label="Tokens" className="num">
                  {formatInt(r.usage.totalTokens)}
                </td>
                <td data-label="Coins" className="num">
                  {formatCoins(r.usage.coinsSpent)}
                </td>
                <td data-label="Last Used">{formatDateTime(r.lastUsedAt)}</td>
                <td data-label="Access">
                  {r.status === 'NEEDS_CONSENT' && props.canGrantConsent ? (
                    <button
                      type="button"
                      className="badge badge-amber badge-button"
                      aria-label={`Needs Consent: review and grant consent for ${r.model.name}`}
                      onClick={() => {
                        setNotice(null);
                        setConsentFor(r.model);
                      }}
                    >
                      Needs Consent
                    </button>
                  ) : (
                    <AccessBadge row={r} />
                  )}
                </td>
                <td data-label="Status">
                  <ModelHealthBadge status={r.model.status} />
                </td>
                {showRules && clientId && (
                  <td data-label="Rule">
                    <select
                      aria-label={`Access rule for ${r.model.name}`}
                      value={r.setting}
                      disabled={saving === r.model.id}
                      onChange={(e) => changeRule(clientId, r.model.id, r.model.name, e.target.value as AccessSetting)}
                    >
                      <option value="DEFAULT">Default ({r.model.defaultAccess === 'BLOCKED' ? 'blocked' : 'allowed'})</option>
                      <option value="ALLOWED">Allowed</option>
                      <option value="BLOCKED">Blocked</option>
                    </select>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {consentFor && (
        <ConfirmDialog
          title={`Consent for ${consentFor.name}`}
          confirmLabel="I agree, grant consent"
          onClose={() => setConsentFor(null)}
          onConfirm={async () => {
            const res = await grantConsent({ input: { ...ownerInput(owner), modelId: consentFor.id } });
            if (res.error) return errorMessage(res.error);
            setNotice(`Consent granted: ${consentFor.name} is now available to ${props.consentScope}.`);
            return null;
          }}
        >
          <ConsentNotice notice={consentFor.consentNotice} />
          <p className="muted">
            Granting consent makes {consentFor.name} available to {props.consentScope}. It is recorded.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The Access cell: the reason a refused row is refused is its tooltip and, for screen readers, part of the cell. */
function AccessBadge({ row }: { row: AccessRow }) {
  const { label, tone } = accessOf(row);
  const reason = row.callable ? null : row.refusalReason;
  return (
    <>
      <Badge tone={tone} title={reason ?? undefined}>
        {label}
      </Badge>
      {reason && <span className="visually-hidden">{` ${reason}`}</span>}
    </>
  );
}
