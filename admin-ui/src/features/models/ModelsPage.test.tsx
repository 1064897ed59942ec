import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { modelData, viewerCan } from '../../test/modelFixtures';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ModelsPage } from './ModelsPage';

const models = () => [
  modelData({
    id: 'TW9kZWw6MQ==',
    name: 'echo-small',
    provider: 'echo',
    upstreamModel: 'echo',
    upstreamBaseUrl: null,
    upstreamKeyEnv: null,
  }),
  modelData({
    id: 'TW9kZWw6Mg==',
    name: 'gpt-4o',
    upstreamModel: 'gpt-4o-2024-08-06',
    inputCoinsPerMillion: '2.125',
    outputCoinsPerMillion: '10',
    needsConsent: true,
    consentNotice: 'Prompts leave the campus.',
    defaultAccess: 'BLOCKED',
    status: 'DOWN',
    statusReason: 'The upstream refused the key (401).',
    requestsLast24Hours: 7,
  }),
  modelData({ id: 'TW9kZWw6Mw==', name: 'old-model', disabled: true, status: 'DISABLED', requestsLast24Hours: 0 }),
];

function renderPage(admin: boolean, handlers: Record<string, Handler> = {}) {
  const api = mockApi({
    AdminsOnly_ViewerCanQuery: () => viewerCan(admin),
    ModelsPage_ModelsQuery: () => ({ data: { models: models() } }),
    ...handlers,
  });
  return { api, ...renderWithApi(<ModelsPage />, api, { path: '/models', route: '/models' }) };
}

const row = (name: string) => screen.getByRole('rowheader', { name: new RegExp(`^${name}`) }).closest('tr')!;

describe('ModelsPage', () => {
  it('shows an admin every model with its settings, health and requests, and the controls', async () => {
    renderPage(true);
    expect(await screen.findByRole('heading', { level: 1, name: 'Models' })).toBeTruthy();
    expect(await screen.findByRole('link', { name: 'gpt-4o' })).toBeTruthy();
    const gpt = within(row('gpt-4o'));
    expect(gpt.getByText('openai-compatible')).toBeTruthy();
    expect(gpt.getByText('2.125')).toBeTruthy(); // exact, never rounded to 2.13
    expect(gpt.getByText('10.00')).toBeTruthy();
    expect(gpt.getByText('4,096')).toBeTruthy();
    expect(gpt.getByText('Blocked')).toBeTruthy();
    expect(gpt.getByText('Required')).toBeTruthy();
    expect(gpt.getByText('Down').getAttribute('title')).toBe('The upstream refused the key (401).');
    expect(gpt.getByText('The upstream refused the key (401).')).toBeTruthy();
    expect(gpt.getByText('7')).toBeTruthy();
    expect(within(row('echo-small')).getByText('1,234')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'gpt-4o' }).getAttribute('href')).toBe('/models/TW9kZWw6Mg==');
    // Long names are cut on one line; the whole name is the tooltip.
    expect(screen.getByText('gpt-4o', { selector: '.truncate' }).getAttribute('title')).toBe('gpt-4o');
    expect(screen.getByRole('button', { name: '+ New Model' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Edit gpt-4o' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable gpt-4o' })).toBeTruthy();
  });

  it('hides disabled models until Show disabled, and searches name, provider and upstream model', async () => {
    const { user } = renderPage(true);
    await screen.findByRole('link', { name: 'gpt-4o' });
    expect(screen.queryByRole('link', { name: 'old-model' })).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: 'Show disabled (1)' }));
    expect(within(row('old-model')).getByText('Disabled')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Enable old-model' })).toBeTruthy();

    await user.type(screen.getByRole('searchbox', { name: 'Search models by name or provider' }), 'echo');
    expect(screen.getByRole('link', { name: 'echo-small' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'gpt-4o' })).toBeNull();
    await user.clear(screen.getByRole('searchbox'));
    await user.type(screen.getByRole('searchbox'), '2024-08');
    expect(screen.getByRole('link', { name: 'gpt-4o' })).toBeTruthy();
    await user.type(screen.getByRole('searchbox'), 'nothing');
    expect(screen.getByText('No model matches “2024-08nothing”.')).toBeTruthy();
  });

  it('shows a manager the Admins only page and asks nothing about models', async () => {
    const { api } = renderPage(false);
    expect(await screen.findByRole('heading', { level: 1, name: 'Admins only' })).toBeTruthy();
    expect(screen.getByText(/The Models page is for the admins of this Lumen instance/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to your clients' }).getAttribute('href')).toBe('/clients');
    expect(screen.queryByRole('button', { name: '+ New Model' })).toBeNull();
    expect(api.callsOf('ModelsPage_ModelsQuery')).toHaveLength(0);
  });

  it('says what to do when there are no models yet', async () => {
    renderPage(true, { ModelsPage_ModelsQuery: () => ({ data: { models: [] } }) });
    expect(await screen.findByText(/No models yet\. Create the first one with \+ New Model/)).toBeTruthy();
  });

  it('shows a loading state, then the API error with a retry that works', async () => {
    let fail = true;
    const { user, api } = renderPage(true, {
      ModelsPage_ModelsQuery: () =>
        fail ? gqlError('The database is unreachable.', 'SERVICE_UNAVAILABLE') : { data: { models: models() } },
    });
    expect(await screen.findByText('Loading models…')).toBeTruthy();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is unreachable.');
    fail = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'gpt-4o' })).toBeTruthy();
    expect(api.callsOf('ModelsPage_ModelsQuery').length).toBe(2);
  });

  it('disables a model after a confirmation that has Cancel focused', async () => {
    const { user, api } = renderPage(true, {
      SetModelDisabledDialog_UpdateModelMutation: (v) => {
        expect(v).toEqual({ input: { modelId: 'TW9kZWw6Mg==', disabled: true } });
        return { data: { updateModel: { model: { ...models()[1], disabled: true, status: 'DISABLED', statusReason: null } } } };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Disable gpt-4o' }));
    const dialog = screen.getByRole('dialog', { name: 'Disable gpt-4o?' });
    expect(within(dialog).getByText(/refused with 403/)).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Disable model' }));
    expect(await screen.findByText('gpt-4o is disabled: new requests get 403 model_disabled.')).toBeTruthy();
    expect(api.callsOf('SetModelDisabledDialog_UpdateModelMutation')).toHaveLength(1);
    // Disabled models are hidden until asked for.
    await waitFor(() => expect(screen.queryByRole('link', { name: 'gpt-4o' })).toBeNull());
    await user.click(screen.getByRole('checkbox', { name: 'Show disabled (2)' }));
    expect(screen.getByRole('button', { name: 'Enable gpt-4o' })).toBeTruthy();
  });
});
