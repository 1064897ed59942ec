import type { ReactNode } from 'react';
import { Link } from 'react-router';

/**
 * The header of a page about one thing (a model, a user): the way back to its list, its name,
 * a line of facts under the name, and the page's buttons.
 */
export function DetailHeader({
  back,
  title,
  meta,
  metaClassName,
  actions,
}: {
  /** The list this page belongs to, such as { to: '/models', label: 'Models' }. */
  back: { to: string; label: string };
  title: string;
  meta: ReactNode;
  metaClassName?: string;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={back.to}>{`← ${back.label}`}</Link>
      </nav>
      <div className="page-title-row">
        <div className="title-block">
          <h1 className="wrap-anywhere">{title}</h1>
          <p className={metaClassName ? `title-meta ${metaClassName}` : 'title-meta'}>{meta}</p>
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
    </header>
  );
}
