import { useState, type ReactNode } from 'react';
import type { SortDirection } from '../lib/sort';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorMessage({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  return (
    <div className="alert alert-error" role="alert">
      <span>{children}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function SuccessMessage({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}

/** A notice about something that now works less (a client deactivated): warning colours, not success ones. */
export function WarningMessage({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-warning" role="status">
      {children}
    </div>
  );
}

export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr className="empty-row">
      <td colSpan={colSpan}>{children}</td>
    </tr>
  );
}

/** The header of a table's row-actions column: named for screen readers, blank on screen. */
export function ActionsHeader() {
  return (
    <th scope="col" className="actions">
      <span className="visually-hidden">Actions</span>
    </th>
  );
}

/** A table row's small red outlined button (Revoke, Remove); `label` names it with its row for screen readers. */
export function RowDangerButton({ label, onClick, children }: { label: string; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className="button button-small button-danger-outline" aria-label={label} onClick={onClick}>
      {children}
    </button>
  );
}

export type BadgeTone = 'green' | 'red' | 'amber' | 'blue' | 'gray';

export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function StatusBadge({ active }: { active: boolean }) {
  return active ? <Badge tone="green">Active</Badge> : <Badge tone="gray">Inactive</Badge>;
}

/** A column header that sorts its table; announces the order through aria-sort. */
export function SortHeader<K extends string>({
  column,
  sort,
  onSort,
  children,
  align = 'left',
}: {
  column: NoInfer<K>;
  sort: { key: K; direction: SortDirection };
  onSort: (key: K) => void;
  children: ReactNode;
  align?: 'left' | 'right';
}) {
  const active = sort.key === column;
  const ariaSort = active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" aria-sort={ariaSort} className={align === 'right' ? 'num' : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {children}
        <span className={`sort-indicator${active ? ' active' : ''}`} aria-hidden="true">
          {active ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

export function SearchBox({
  label,
  value,
  onChange,
  placeholder = 'Filter by name…',
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <label className="search-box">
      <span className="visually-hidden">{label}</span>
      <input type="search" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

export function Toggle({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="toggle">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
    </label>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older browsers, or http:// origins other than localhost: fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/** `autoFocus`: the button a dialog focuses when it opens (Dialog's data-autofocus). */
export function CopyButton({ text, label = 'Copy', autoFocus = false }: { text: string; label?: string; autoFocus?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="button button-small"
      data-autofocus={autoFocus || undefined}
      onClick={async () => {
        setState((await copyText(text)) ? 'copied' : 'failed');
        setTimeout(() => setState('idle'), 2500);
      }}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed, select and copy' : label}</span>
    </button>
  );
}
