import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The page behind the open dialogs, as it was before the first opened. */
const openDialogs = { count: 0, rootWasInert: false, bodyOverflow: '' };

export interface DialogProps {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom (right aligned). */
  footer?: ReactNode;
  description?: ReactNode;
  size?: 'small' | 'medium' | 'large';
}

/**
 * A modal dialog: focus moves inside on open (to the first field marked `data-autofocus`,
 * else the first focusable element), Tab stays inside, Escape closes, and focus returns to
 * whatever opened it. The rest of the page is made inert while it is open.
 */
export function Dialog({ title, onClose, children, footer, description, size = 'medium' }: DialogProps) {
  const titleId = useId();
  const descriptionId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const panel = panelRef.current!;
    const first = panel.querySelector<HTMLElement>('[data-autofocus]') ?? panel.querySelector<HTMLElement>(FOCUSABLE) ?? panel;
    first.focus();

    // Everything outside the dialogs' portals becomes inert (not clickable, not focusable,
    // hidden from screen readers) while any dialog is open: counted, because a dialog may open
    // over another (a confirmation) and both may close at once.
    if (openDialogs.count++ === 0) {
      const root = document.getElementById('root');
      openDialogs.rootWasInert = root?.hasAttribute('inert') ?? false;
      root?.setAttribute('inert', '');
      openDialogs.bodyOverflow = document.body.style.overflow;
      document.body.style.overflow = 'hidden';
    }

    return () => {
      if (--openDialogs.count === 0) {
        if (!openDialogs.rootWasInert) document.getElementById('root')?.removeAttribute('inert');
        document.body.style.overflow = openDialogs.bodyOverflow;
      }
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      onCloseRef.current();
      return;
    }
    if (event.key !== 'Tab') return;
    const panel = panelRef.current!;
    const items = Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => !el.closest('[hidden]'));
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const firstItem = items[0];
    const lastItem = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === firstItem || document.activeElement === panel)) {
      event.preventDefault();
      lastItem.focus();
    } else if (!event.shiftKey && document.activeElement === lastItem) {
      event.preventDefault();
      firstItem.focus();
    }
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={panelRef}
        className={`dialog dialog-${size}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={() => onCloseRef.current()}>
            ×
          </button>
        </header>
        {description && (
          <p id={descriptionId} className="dialog-description">
            {description}
          </p>
        )}
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-footer">{footer}</footer>}
      </div>
    </div>,
    document.body,
  );
}
