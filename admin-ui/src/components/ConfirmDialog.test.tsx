import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { modelAccess, modelAccessOwner } from '../test/fixtures';
import { mockApi, renderWithApi } from '../test/utils';
import { ModelAccessTable } from '../features/models/ModelAccessTable';
import { ConfirmDialog } from './ConfirmDialog';

describe('ConfirmDialog', () => {
  it('focuses Cancel in every confirmation, not only destructive ones', () => {
    for (const danger of [true, false]) {
      const view = renderWithApi(
        <ConfirmDialog title="Go ahead?" confirmLabel="Go" danger={danger} onConfirm={async () => null} onClose={() => {}}>
          <p>Something happens.</p>
        </ConfirmDialog>,
        mockApi({}),
      );
      const dialog = screen.getByRole('dialog', { name: 'Go ahead?' });
      expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
      view.unmount();
    }
  });

  it('opens the consent dialog on Cancel, as Revoke does: Enter never agrees by accident', async () => {
    const owner = modelAccessOwner([
      modelAccess({
        status: 'NEEDS_CONSENT',
        model: { id: 'TW9kZWw6Mg==', name: 'gpt-4o', needsConsent: true, consentNotice: 'Prompts are sent to OpenAI in the US.' },
      }),
    ]);
    const api = mockApi({});
    const { user } = renderWithApi(<ModelAccessTable owner={owner} canGrantConsent consentScope="all API keys of example-bot" />, api);
    await user.click(screen.getByRole('button', { name: /Needs Consent/ }));
    const dialog = screen.getByRole('dialog', { name: 'Consent for gpt-4o' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls.filter((call) => call.operationName.includes('Consent'))).toHaveLength(0);
  });
});
