import { Link } from 'react-router';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { ActionsHeader, Badge, EmptyRow } from '../../components/ui';
import { SortHeaders, type SortColumn } from '../../components/SortHeaders';
import { Truncated } from '../../components/Truncated';
import { coinsToNumber, formatCoins, formatInt } from '../../lib/format';
import { useSortedRows } from '../../lib/sort';
import { HEALTH, ModelHealthBadge } from './ModelHealth';
import { modelPath } from './paths';

export const ModelsTable_ModelFragment = graphql(`
  fragment ModelsTable_ModelFragment on Model {
    id
    name
    provider
    kind
    upstreamModel
    inputCoinsPerMillion
    outputCoinsPerMillion
    maxOutputTokens
    defaultAccess
    needsConsent
    disabled
    status
    statusReason
    requestsLast24Hours
  }
`);

export type ModelRow = ResultOf<typeof ModelsTable_ModelFragment>;

type Column = 'name' | 'price' | 'maxOutput' | 'status' | 'requests';

const accessors: Record<Column, (m: ModelRow) => string | number> = {
  name: (m) => m.name,
  price: (m) => coinsToNumber(m.inputCoinsPerMillion) + coinsToNumber(m.outputCoinsPerMillion),
  maxOutput: (m) => m.maxOutputTokens,
  status: (m) => HEALTH[m.status]?.order ?? 9,
  requests: (m) => m.requestsLast24Hours,
};

const columns: SortColumn<Column>[] = [
  { key: 'name', label: 'Model' },
  { key: 'price', label: 'Price per 1M tokens', align: 'right' },
  { key: 'maxOutput', label: 'Max output', align: 'right' },
  { label: 'Default access' },
  { label: 'Consent' },
  { key: 'status', label: 'Status' },
  { key: 'requests', label: 'Requests (24 h)', align: 'right' },
];

/** Every model with its settings and health; admins get Edit and Disable / Enable per row. */
export function ModelsTable(props: {
  models: FragmentType<typeof ModelsTable_ModelFragment>[];
  /** Why the list is empty: no models at all, or none matching the filter. */
  emptyText: string;
  onEdit?: (model: ModelRow) => void;
  onSetDisabled?: (model: ModelRow, disabled: boolean) => void;
}) {
  const rows = getFragmentData(ModelsTable_ModelFragment, props.models);
  const { sorted, sort, toggle } = useSortedRows(rows, accessors, { key: 'name', direction: 'asc' });
  const actions = Boolean(props.onEdit || props.onSetDisabled);
  const columnCount = columns.length + (actions ? 1 : 0);
  return (
    <div className="table-wrap">
      <table className="table models-table">
        <thead>
          <tr>
            <SortHeaders columns={columns} sort={sort} onSort={toggle} />
            {actions && <ActionsHeader />}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && <EmptyRow colSpan={columnCount}>{props.emptyText}</EmptyRow>}
          {sorted.map((m) => (
            <tr key={m.id} className={m.disabled ? 'row-muted' : undefined}>
              <th scope="row" data-label="Model" className="cell-strong cell-name">
                <Link to={modelPath(m.id)}>
                  <Truncated text={m.name} />
                </Link>
                <span className="cell-sub">
                  {m.provider}
                  {m.kind === 'EMBEDDING' && ' · embeddings'}
                </span>
              </th>
              <td data-label="Price per 1M tokens" className="num">
                <span className="price">
                  <span className="muted">in</span> {formatCoins(m.inputCoinsPerMillion)}
                </span>
                <span className="price">
                  <span className="muted">out</span> {formatCoins(m.outputCoinsPerMillion)}
                </span>
              </td>
              <td data-label="Max output" className="num">
                <span title={`At most ${formatInt(m.maxOutputTokens)} tokens per answer`}>{formatInt(m.maxOutputTokens)}</span>
              </td>
              <td data-label="Default access">
                {m.defaultAccess === 'BLOCKED' ? <Badge tone="red">Blocked</Badge> : <Badge tone="green">Allowed</Badge>}
              </td>
              <td data-label="Consent">{m.needsConsent ? <Badge tone="amber">Required</Badge> : <span className="muted">No</span>}</td>
              <td data-label="Status">
                <ModelHealthBadge status={m.status} reason={m.statusReason} />
                {m.statusReason && <span className="cell-sub status-reason">{m.statusReason}</span>}
              </td>
              <td data-label="Requests (24 h)" className="num">
                {formatInt(m.requestsLast24Hours)}
              </td>
              {actions && (
                <td className="actions">
                  {props.onEdit && (
                    <button type="button" className="button button-small" aria-label={`Edit ${m.name}`} onClick={() => props.onEdit!(m)}>
                      Edit
                    </button>
                  )}{' '}
                  {props.onSetDisabled && (
                    <button
                      type="button"
                      className={`button button-small ${m.disabled ? '' : 'button-danger-outline'}`}
                      aria-label={`${m.disabled ? 'Enable' : 'Disable'} ${m.name}`}
                      onClick={() => props.onSetDisabled!(m, !m.disabled)}
                    >
                      {m.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
