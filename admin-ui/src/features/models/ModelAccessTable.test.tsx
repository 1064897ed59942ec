import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, modelAccess, modelAccessOwner } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi } from '../../test/utils';
import { ModelAccessTable } from './ModelAccessTable';

const rows = [
  modelAccess(),
  modelAccess({
    status: 'NEEDS_CONSENT',
    usage: { requests: 0, totalTokens: 0, coinsSpent: '0' },
    lastUsedAt: null,
    model: {
      id: 'TW9kZWw6Mg==',
      name: 'gpt-4o',
      provider: 'openai',
      needsConsent: true,
      consentNotice: 'Prompts are sent to OpenAI in the US.',
    },
  }),
  modelAccess({
    status: 'BLOCKED',
    usage: { requests: 500, totalTokens: 900000, coinsSpent: '3.5' },
    model: { id: 'TW9kZWw6Mw==', name: 'llama-3-70b', disabled: true, status: 'DISABLED' },
  }),
  modelAccess({
    status: 'CONSENTED',
    usage: { requests: 183, totalTokens: 414615, coinsSpent: '0.5' },
    model: { id: 'TW9kZWw6NA==', name: 'claude-haiku', provider: 'anthropic', needsConsent: true, status: 'DEGRADED' },
  }),
];

function modelNames() {
  return screen
    .getAllByRole('row')
    .slice(1)
    .map((r) => within(r).getByRole('rowheader').firstChild?.textContent);
}

function render(canGrantConsent = true, handlers = {}, canSetAccess = false) {
  const api = mockApi(handlers);
  const view = renderWithApi(
    <ModelAccessTable
      owner={modelAccessOwner(rows)}
      canGrantConsent={canGrantConsent}
      canSetAccess={canSetAccess}
      consentScope="all API keys of example-bot"
    />,
    api,
  );
  return { api, ...view };
}

describe('ModelAccessTable', () => {
  it('shows usage and an access badge per model, hiding disabled models until asked', async () => {
    const { user } = render();
    expect(modelNames()).toEqual(['claude-haiku', 'gpt-4o', 'mistral-7b-instruct']);
    const mistral = screen.getByRole('rowheader', { name: /mistral/ }).closest('tr')!;
    expect(within(mistral).getByText('✓ Allowed')).toBeTruthy();
    expect(within(mistral).getByText('164,551')).toBeTruthy();
    expect(within(mistral).getByText('0.20')).toBeTruthy();
    expect(within(screen.getByRole('rowheader', { name: /claude/ }).closest('tr')!).getByText('✓ Consented')).toBeTruthy();
    expect(within(screen.getByRole('rowheader', { name: /gpt-4o/ }).closest('tr')!).getByText('Never')).toBeTruthy();

    await user.click(screen.getByRole('checkbox', { name: /Show disabled/ }));
    const llama = screen.getByRole('rowheader', { name: /llama/ }).closest('tr')!;
    expect(within(llama).getByText('✕ Blocked')).toBeTruthy();
    expect(within(llama).getByText('Disabled')).toBeTruthy();
  });

  it("shows each model's health in the Status column, sortable", async () => {
    const { user } = render();
    const status = (name: RegExp) =>
      within(screen.getByRole('rowheader', { name }).closest('tr')!).getByTitle(/recent requests/i).textContent;
    expect(screen.getByRole('columnheader', { name: /Status/ })).toBeTruthy();
    expect(status(/mistral/)).toBe('OK');
    expect(status(/claude/)).toBe('Degraded');
    await user.click(screen.getByRole('button', { name: /Status/ }));
    expect(modelNames().at(-1)).toBe('claude-haiku'); // OK before Degraded
    expect(screen.getByRole('columnheader', { name: /Status/ }).getAttribute('aria-sort')).toBe('ascending');
    await user.click(screen.getByRole('button', { name: /Status/ }));
    expect(modelNames()[0]).toBe('claude-haiku');
  });

  it('sorts by a column and back', async () => {
    const { user } = render();
    await user.click(screen.getByRole('checkbox', { name: /Show disabled/ }));
    const requests = screen.getByRole('button', { name: /Requests/ });
    await user.click(requests);
    expect(modelNames()).toEqual(['llama-3-70b', 'claude-haiku', 'mistral-7b-instruct', 'gpt-4o']);
    expect(requests.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await user.click(requests);
    expect(modelNames()).toEqual(['gpt-4o', 'mistral-7b-instruct', 'claude-haiku', 'llama-3-70b']);
    await user.click(screen.getByRole('button', { name: /Last Used/ }));
    expect(modelNames().at(-1)).toBe('gpt-4o'); // never used: always last
  });

  it('filters by name', async () => {
    const { user } = render();
    await user.type(screen.getByRole('searchbox', { name: 'Search models by name' }), 'GPT');
    expect(modelNames()).toEqual(['gpt-4o']);
    await user.type(screen.getByRole('searchbox'), 'zzz');
    expect(screen.getByText('No models match your filter.')).toBeTruthy();
  });

  it('opens the consent notice from Needs Consent and grants consent for the client', async () => {
    const { api, user } = render(true, {
      ModelAccessTable_GrantModelConsentMutation: () => ({
        data: {
          grantModelConsent: {
            modelAccess: {
              __typename: 'ModelAccess',
              status: 'CONSENTED',
              setting: 'DEFAULT',
              callable: true,
              refusal: null,
              refusalReason: null,
              lastUsedAt: null,
              usage: { requests: 0, totalTokens: 0, coinsSpent: '0' },
              model: {
                __typename: 'Model',
                id: 'TW9kZWw6Mg==',
                name: 'gpt-4o',
                provider: 'openai',
                disabled: false,
                status: 'OK',
                needsConsent: true,
                consentNotice: 'x',
                defaultAccess: 'ALLOWED',
              },
            },
          },
        },
      }),
    });
    await user.click(screen.getByRole('button', { name: /Needs Consent: review and grant consent for gpt-4o/ }));
    const dialog = screen.getByRole('dialog', { name: 'Consent for gpt-4o' });
    expect(within(dialog).getByText('Prompts are sent to OpenAI in the US.')).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'I agree, grant consent' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('ModelAccessTable_GrantModelConsentMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, modelId: 'TW9kZWw6Mg==' },
    });
    expect(screen.getByText(/Consent granted: gpt-4o is now available to all API keys of example-bot/)).toBeTruthy();
  });

  it('shows the API error in the consent dialog', async () => {
    const { user } = render(true, {
      ModelAccessTable_GrantModelConsentMutation: () => gqlError('You may not grant consent for this client.', 'FORBIDDEN'),
    });
    await user.click(screen.getByRole('button', { name: /Needs Consent/ }));
    await user.click(screen.getByRole('button', { name: 'I agree, grant consent' }));
    expect((await within(screen.getByRole('dialog')).findByRole('alert')).textContent).toBe('You may not grant consent for this client.');
  });

  it('shows Needs Consent as a plain badge when the viewer may not grant consent', () => {
    render(false);
    expect(screen.queryByRole('button', { name: /Needs Consent/ })).toBeNull();
    expect(screen.getByText('Needs Consent')).toBeTruthy();
  });

  it('lets an admin set a per-client rule, and hides it from others', async () => {
    const { api, user } = render(
      true,
      {
        ModelAccessTable_SetClientModelAccessMutation: () => ({
          data: { setClientModelAccess: { client: { __typename: 'Client', id: CLIENT_ID, modelAccess: [] } } },
        }),
      },
      true,
    );
    const select = screen.getByRole('combobox', { name: 'Access rule for mistral-7b-instruct' }) as HTMLSelectElement;
    expect(select.value).toBe('DEFAULT');
    await user.selectOptions(select, 'BLOCKED');
    await waitFor(() => expect(api.callsOf('ModelAccessTable_SetClientModelAccessMutation')).toHaveLength(1));
    expect(api.callsOf('ModelAccessTable_SetClientModelAccessMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, modelId: 'TW9kZWw6MQ==', access: 'BLOCKED' },
    });
  });

  it('has no rule column without the permission', () => {
    render(true, {}, false);
    expect(screen.queryByRole('combobox', { name: /Access rule/ })).toBeNull();
    expect(screen.queryByRole('columnheader', { name: 'Rule' })).toBeNull();
  });

  describe('when every call is refused', () => {
    const NO_POOL =
      'No coin pool is set up for these personal keys, so every call is refused; ask an admin to set one up on your user page.';
    const NO_COINS = 'The coin pool of this client is empty, so every call is refused until it is refilled; ask an admin for more coins.';

    it('says "No coin pool" on Profile for a personal owner without a pool, never Allowed', () => {
      const owner = modelAccessOwner(
        [
          modelAccess({ callable: false, refusal: 'NO_COIN_POOL', refusalReason: NO_POOL }),
          modelAccess({
            status: 'CONSENTED',
            callable: false,
            refusal: 'NO_COIN_POOL',
            refusalReason: NO_POOL,
            model: { id: 'TW9kZWw6NA==', name: 'claude-haiku', needsConsent: true },
          }),
        ],
        'viewer',
      );
      renderWithApi(<ModelAccessTable owner={owner} canGrantConsent consentScope="your personal API keys" />, mockApi({}));
      for (const name of [/mistral/, /claude/]) {
        const row = screen.getByRole('rowheader', { name }).closest('tr')!;
        const badge = within(row).getByText('✕ No coin pool');
        expect(badge.getAttribute('title')).toBe(NO_POOL);
        expect(within(row).getByText(NO_POOL)).toBeTruthy(); // read out with the cell, not only a tooltip
        expect(within(row).queryByText(/Allowed|Consented/)).toBeNull();
      }
      expect(screen.getAllByRole('row')[1].textContent).toContain('No coin pool');
      expect(screen.queryByText('✓ Allowed')).toBeNull();
    });

    it('says "No coins left" for a client whose pool is empty, and sorts refused rows after callable ones', async () => {
      const owner = modelAccessOwner([
        modelAccess({ callable: false, refusal: 'NO_COINS', refusalReason: NO_COINS }),
        modelAccess({ model: { id: 'TW9kZWw6NQ==', name: 'free-echo' } }),
      ]);
      const { user } = renderWithApi(
        <ModelAccessTable owner={owner} canGrantConsent consentScope="all API keys of example-bot" />,
        mockApi({}),
      );
      const mistral = screen.getByRole('rowheader', { name: /mistral/ }).closest('tr')!;
      expect(within(mistral).getByText('✕ No coins left').getAttribute('title')).toBe(NO_COINS);
      expect(within(mistral).getByText(NO_COINS)).toBeTruthy();
      expect(within(mistral).queryByText('✓ Allowed')).toBeNull();
      // A model that costs nothing stays callable with an empty pool.
      expect(within(screen.getByRole('rowheader', { name: /free-echo/ }).closest('tr')!).getByText('✓ Allowed')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: /Access/ }));
      expect(modelNames()).toEqual(['free-echo', 'mistral-7b-instruct']);
    });
  });
});
