import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MODEL_ID, modelData, viewerCan } from '../../test/modelFixtures';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ModelPage } from './ModelPage';

const NOTICE = 'Prompts sent to this model are kept for 30 days by its provider.\nDo not send personal data.';

const restricted = () =>
  modelData({
    name: 'gpt-4o',
    needsConsent: true,
    consentNotice: NOTICE,
    defaultAccess: 'BLOCKED',
    clientsWithAccess: [
      { rule: 'ALLOWED', client: { __typename: 'Client', id: 'Q2xpZW50OjE=', name: 'Research Chatbot', active: true } },
      { rule: 'BLOCKED', client: { __typename: 'Client', id: 'Q2xpZW50OjI=', name: 'Notebook Service', active: false } },
    ],
  });

function renderPage(admin: boolean, handlers: Record<string, Handler> = {}) {
  const api = mockApi({
    AdminsOnly_ViewerCanQuery: () => viewerCan(admin),
    ModelPage_ModelQuery: (v) => {
      expect(v.id).toBe(MODEL_ID);
      return { data: { node: restricted() } };
    },
    ...handlers,
  });
  return { api, ...renderWithApi(<ModelPage />, api, { path: `/models/${MODEL_ID}`, route: '/models/:id' }) };
}

describe('ModelPage', () => {
  it('shows an admin the settings, the consent notice as the consent dialog shows it, and the clients with rules', async () => {
    renderPage(true);
    expect(await screen.findByRole('heading', { level: 1, name: 'gpt-4o' })).toBeTruthy();
    const settings = screen.getByRole('region', { name: 'Settings' });
    for (const text of [
      'openai-compatible',
      'meta-llama/Llama-3.1-8B-Instruct',
      'http://vllm.internal:8000/v1',
      'LUMEN_UPSTREAM_KEY_VLLM',
      '1,234',
    ]) {
      expect(within(settings).getByText(text)).toBeTruthy();
    }
    expect(within(settings).getByText('0.50 coins per 1M tokens')).toBeTruthy();
    expect(within(settings).getByText('4,096 tokens per answer')).toBeTruthy();

    const consent = screen.getByRole('region', { name: 'Consent notice' });
    const notice = consent.querySelector('.consent-notice')!;
    expect(notice.textContent).toBe(NOTICE); // line breaks kept, as in the consent dialog

    const rules = screen.getByRole('region', { name: 'Clients with rules' });
    expect(within(rules).getByText(/Every other client follows the default \(blocked\)/)).toBeTruthy();
    const chatbot = within(rules).getByRole('link', { name: 'Research Chatbot' });
    expect(chatbot.getAttribute('href')).toBe('/clients/Q2xpZW50OjE=');
    expect(within(chatbot.closest('tr')!).getByText('Allowed')).toBeTruthy();
    const notebook = within(rules).getByRole('link', { name: 'Notebook Service' }).closest('tr')!;
    expect(within(notebook).getByText('Blocked')).toBeTruthy();
    expect(within(notebook).getByText('Inactive')).toBeTruthy();

    expect(screen.getByRole('button', { name: 'Edit' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '← Models' }).getAttribute('href')).toBe('/models');
  });

  it('says when no client has a rule, and when the model needs no consent', async () => {
    renderPage(true, { ModelPage_ModelQuery: () => ({ data: { node: modelData() } }) });
    expect(await screen.findByText('No client has a rule of its own for this model.')).toBeTruthy();
    expect(screen.getByText('This model needs no consent.')).toBeTruthy();
  });

  it('enables a disabled model after asking', async () => {
    const { user, api } = renderPage(true, {
      ModelPage_ModelQuery: () => ({ data: { node: modelData({ disabled: true, status: 'DISABLED' }) } }),
      SetModelDisabledDialog_UpdateModelMutation: () => ({
        data: { updateModel: { model: modelData({ disabled: false, status: 'OK' }) } },
      }),
    });
    expect(await screen.findByText('Disabled: new requests are refused with 403 model_disabled.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Enable' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Enable llama-3.1-8b?' })).getByRole('button', { name: 'Enable model' }));
    expect(await screen.findByText('llama-3.1-8b is enabled: clients with access can call it again.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable' })).toBeTruthy();
    expect(api.callsOf('SetModelDisabledDialog_UpdateModelMutation')[0].variables).toEqual({
      input: { modelId: MODEL_ID, disabled: false },
    });
  });

  it('shows a manager the Admins only page, not a blank one, and asks nothing about the model', async () => {
    const { api } = renderPage(false);
    expect(await screen.findByRole('heading', { level: 1, name: 'Admins only' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(api.callsOf('ModelPage_ModelQuery')).toHaveLength(0);
  });

  it('says so when there is no such model', async () => {
    renderPage(true, { ModelPage_ModelQuery: () => ({ data: { node: null } }) });
    expect(await screen.findByRole('heading', { level: 1, name: 'Model not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Back to models' }).getAttribute('href')).toBe('/models');
  });

  it('shows the API error with a retry', async () => {
    renderPage(true, { ModelPage_ModelQuery: () => gqlError('Something broke', 'INTERNAL_SERVER_ERROR') });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Something broke');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('shows the error when the permissions cannot be loaded, instead of a blank page', async () => {
    renderPage(true, { AdminsOnly_ViewerCanQuery: () => gqlError('Lumen is restarting.', 'SERVICE_UNAVAILABLE') });
    expect((await screen.findByRole('alert')).textContent).toContain('Lumen is restarting.');
  });
});
