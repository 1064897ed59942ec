import { formatInt } from '../../lib/format';

/** A key's own rate limits, under its name ("≤ 60 requests/min · 10,000 tokens/min"); nothing when it has none. */
export function KeyRateLimits({ limits }: { limits: { requestsPerMinute?: number | null; tokensPerMinute?: number | null } }) {
  const parts = [
    limits.requestsPerMinute != null ? `${formatInt(limits.requestsPerMinute)} requests/min` : null,
    limits.tokensPerMinute != null ? `${formatInt(limits.tokensPerMinute)} tokens/min` : null,
  ].filter((part) => part !== null);
  if (parts.length === 0) return null;
  return (
    <div className="muted" title="This key's own rate limits, within its owner's">
      Limit: {parts.join(' · ')}
    </div>
  );
}
