import { useCallback, useEffect, useRef } from 'react';

/**
 * Where focus goes after an action that removes the control that started it (Revoke on a
 * row that then leaves the list). A dialog gives focus back to its opener when it closes;
 * here that opener is about to vanish, and focus with it (to the page body). Call
 * `moveFocusLater()` when the action worked: once `dialogOpen` turns false (after the dialog's
 * own focus return), focus moves to `ref`'s element, typically the section's heading
 * (tabIndex -1). Cancelling leaves the dialog's focus return alone.
 */
export function useFocusAfterDialog<T extends HTMLElement>(dialogOpen: boolean) {
  const ref = useRef<T>(null);
  const pending = useRef(false);
  useEffect(() => {
    if (dialogOpen || !pending.current) return;
    pending.current = false;
    ref.current?.focus();
  }, [dialogOpen]);
  const moveFocusLater = useCallback(() => {
    pending.current = true;
  }, []);
  return { ref, moveFocusLater };
}
