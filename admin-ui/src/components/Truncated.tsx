/**
 * A name on one line, cut with an ellipsis where a table has no room for it (names may be 100
 * characters long). The whole name stays the text, so it is read out and found in full, and
 * shows as the tooltip.
 */
export function Truncated({ text, className }: { text: string; className?: string }) {
  return (
    <span className={className ? `truncate ${className}` : 'truncate'} title={text}>
      {text}
    </span>
  );
}
