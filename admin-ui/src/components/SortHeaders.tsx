import { SortHeader } from './ui';
import type { SortState } from '../lib/sort';

/**
 * One column of a table's header: its text, its alignment and, when the table can be sorted
 * by it, its sort key (see useSortedRows). A column without a key is a plain header cell.
 */
export interface SortColumn<K extends string> {
  key?: K;
  label: string;
  align?: 'left' | 'right';
}

/**
 * The header cells of a table, in order, from one list of columns, so each table states its
 * columns once. Give it the `sort` and `toggle` that useSortedRows returns.
 */
export function SortHeaders<K extends string>({
  columns,
  sort,
  onSort,
}: {
  columns: readonly SortColumn<NoInfer<K>>[];
  sort: SortState<K>;
  onSort: (key: K) => void;
}) {
  return columns.map(({ key, label, align }) =>
    key ? (
      <SortHeader key={key} column={key} sort={sort} onSort={onSort} align={align}>
        {label}
      </SortHeader>
    ) : (
      <th key={label} scope="col" className={align === 'right' ? 'num' : undefined}>
        {label}
      </th>
    ),
  );
}
