import type { CombinedError } from 'urql';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/errors';

/**
 * Asks before an admin-API token is revoked, on the Profile page (the viewer's own) and on a
 * user's page (an admin's). Each page runs its own mutation document, so `revoke` is passed in.
 */
export function RevokeAccessTokenDialog({
  token,
  revoke,
  onRevoked,
  onClose,
}: {
  token: { id: string; name: string; hint: string; current: boolean };
  revoke: (id: string) => Promise<{ error?: CombinedError }>;
  /** Told the notice to show once the token is revoked. */
  onRevoked: (notice: string) => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      title={`Revoke “${token.name}”?`}
      confirmLabel="Revoke token"
      danger
      onClose={onClose}
      onConfirm={async () => {
        const result = await revoke(token.id);
        if (result.error) return errorMessage(result.error);
        onRevoked(`Admin-API token “${token.name}” revoked.`);
        return null;
      }}
    >
      <p>
        Requests with <code>{token.hint}</code> are refused from now on
        {token.current ? ', including this one' : ''}. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
