import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { modelData, viewerCan } from '../../test/modelFixtures';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ModelsPage } from './ModelsPage';

const LLAMA = modelData();

function renderPage(handlers: Record<string, Handler> = {}) {
  let list = [LLAMA];
  const api = mockApi({
    AdminsOnly_ViewerCanQuery: () => viewerCan(true),
    ModelsPage_ModelsQuery: () => ({ data: { models: list } }),
    ...handlers,
  });
  const view = renderWithApi(<ModelsPage />, api, { path: '/models', route: '/models' });
  return { api, ...view, setList: (models: ReturnType<typeof modelData>[]) => (list = models) };
}

const dialog = (name: string | RegExp) => screen.getByRole('dialog', { name });
const input = (name: string | RegExp) => within(screen.getByRole('dialog')).getByLabelText(name);

describe('ModelFormDialog', () => {
  it('checks every field as the API does before sending, beside the field, and clears a message once fixed', async () => {
    const { user, api } = renderPage();
    await user.click(await screen.findByRole('button', { name: '+ New Model' }));
    expect(dialog('New Model')).toBeTruthy();
    expect(document.activeElement).toBe(input('Name'));
    await user.type(input('Name'), 'bad name!');
    await user.selectOptions(input('Provider'), 'openai-compatible');
    await user.type(input('Key variable name'), 'DATABASE_URL');
    await user.type(input('Input price (coins per 1M tokens)'), '-1');
    await user.type(input('Output price (coins per 1M tokens)'), '0.1234567');
    await user.clear(input('Output limit (tokens)'));
    await user.type(input('Output limit (tokens)'), '0');
    await user.click(screen.getByRole('checkbox', { name: /Needs consent/ }));
    await user.click(screen.getByRole('button', { name: 'Create model' }));

    const problems: [string, RegExp][] = [
      ['Name', /letters, digits and \. _ : \/ @ - only/],
      ['Upstream model', /name at the upstream/],
      ['Upstream URL', /starting with http:\/\/ or https:\/\//],
      ['Key variable name', /DATABASE_URL is not allowed: the variable's name must start with LUMEN_UPSTREAM_KEY_/],
      ['Input price (coins per 1M tokens)', /cannot be negative/],
      ['Output price (coins per 1M tokens)', /at most 6 decimal places/],
      ['Output limit (tokens)', /whole number of tokens from 1 to 10,000,000/],
      ['Consent notice', /Write the notice people agree to/],
    ];
    for (const [label, message] of problems) {
      const field = input(label);
      expect(field.getAttribute('aria-invalid'), label).toBe('true');
      expect(field.getAttribute('aria-describedby')).toBeTruthy();
      const described = field
        .getAttribute('aria-describedby')!
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' ');
      expect(described, label).toMatch(message);
    }
    // The first field with a problem has the focus; nothing was sent.
    await waitFor(() => expect(document.activeElement).toBe(input('Name')));
    expect(api.callsOf('ModelFormDialog_CreateModelMutation')).toHaveLength(0);
    // The rule for the key variable is shown before anyone gets it wrong.
    expect(within(dialog('New Model')).getByText(/It must start with LUMEN_UPSTREAM_KEY_ and continue with capital letters/)).toBeTruthy();

    await user.clear(input('Name'));
    await user.type(input('Name'), 'llama-70b');
    expect(input('Name').getAttribute('aria-invalid')).toBeNull();
    expect(input('Key variable name').getAttribute('aria-invalid')).toBe('true');
  });

  it('creates a model, shows the API’s refusal beside its field keeping what was typed, then saves', async () => {
    let refuse = true;
    const { user, api, setList } = renderPage({
      ModelFormDialog_CreateModelMutation: (v) => {
        if (refuse)
          return {
            data: null,
            errors: [{ message: 'A model named echo-e2e already exists', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }],
          };
        const created = modelData({ id: 'TW9kZWw6OQ==', ...(v.input as object), upstreamBaseUrl: null, upstreamKeyEnv: null });
        setList([LLAMA, created]);
        return { data: { createModel: { model: created } } };
      },
    });
    await user.click(await screen.findByRole('button', { name: '+ New Model' }));
    await user.type(input('Name'), 'echo-e2e');
    await user.type(input('Upstream model'), 'echo');
    await user.type(input('Input price (coins per 1M tokens)'), '1');
    await user.type(input('Output price (coins per 1M tokens)'), '2.5');
    // The echo provider calls no upstream: no URL or key to ask for.
    expect(within(dialog('New Model')).queryByLabelText('Upstream URL')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create model' }));

    await waitFor(() => expect(input('Name').getAttribute('aria-invalid')).toBe('true'));
    expect(within(dialog('New Model')).getByText('A model named echo-e2e already exists')).toBeTruthy();
    expect((input('Name') as HTMLInputElement).value).toBe('echo-e2e');
    expect((input('Output price (coins per 1M tokens)') as HTMLInputElement).value).toBe('2.5');
    expect(api.callsOf('ModelFormDialog_CreateModelMutation')[0].variables).toEqual({
      input: {
        name: 'echo-e2e',
        provider: 'echo',
        kind: 'CHAT',
        upstreamModel: 'echo',
        upstreamBaseUrl: null,
        upstreamKeyEnv: null,
        inputCoinsPerMillion: '1',
        outputCoinsPerMillion: '2.5',
        maxOutputTokens: 4096,
        defaultAccess: 'ALLOWED',
        needsConsent: false,
        consentNotice: null,
      },
    });

    refuse = false;
    await user.click(screen.getByRole('button', { name: 'Create model' }));
    expect(await screen.findByText('echo-e2e was created. Clients can call it as "echo-e2e".')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    // The list is fetched again and holds the new model.
    expect(await screen.findByRole('link', { name: 'echo-e2e' })).toBeTruthy();
  });

  it('creates an embedding model with the Kind select, and shows the kind in the table', async () => {
    const { user, api, setList } = renderPage({
      ModelFormDialog_CreateModelMutation: (v) => {
        const created = modelData({ id: 'TW9kZWw6MTA=', ...(v.input as object), upstreamBaseUrl: null, upstreamKeyEnv: null });
        setList([LLAMA, created]);
        return { data: { createModel: { model: created } } };
      },
    });
    await user.click(await screen.findByRole('button', { name: '+ New Model' }));
    expect((input('Kind') as HTMLSelectElement).value).toBe('CHAT');
    expect(within(dialog('New Model')).getByText(/embedding models answer \/v1\/embeddings/)).toBeTruthy();
    await user.type(input('Name'), 'embed-e2e');
    await user.selectOptions(input('Kind'), 'EMBEDDING');
    await user.type(input('Upstream model'), 'echo');
    await user.type(input('Input price (coins per 1M tokens)'), '0.1');
    await user.type(input('Output price (coins per 1M tokens)'), '0');
    await user.click(screen.getByRole('button', { name: 'Create model' }));
    expect(await screen.findByText('embed-e2e was created. Clients can call it as "embed-e2e".')).toBeTruthy();
    expect(api.callsOf('ModelFormDialog_CreateModelMutation')[0].variables).toMatchObject({
      input: { name: 'embed-e2e', kind: 'EMBEDDING' },
    });
    const row = (await screen.findByRole('link', { name: 'embed-e2e' })).closest('tr')!;
    expect(within(row).getByText(/embeddings/)).toBeTruthy();
  });

  it('edits the kind: only the kind is sent', async () => {
    const { user, api } = renderPage({
      ModelFormDialog_UpdateModelMutation: () => ({ data: { updateModel: { model: { ...LLAMA, kind: 'EMBEDDING' } } } }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit llama-3.1-8b' }));
    expect((input('Kind') as HTMLSelectElement).value).toBe('CHAT');
    await user.selectOptions(input('Kind'), 'EMBEDDING');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('llama-3.1-8b was saved.')).toBeTruthy();
    expect(api.callsOf('ModelFormDialog_UpdateModelMutation')[0].variables).toEqual({ input: { modelId: LLAMA.id, kind: 'EMBEDDING' } });
  });

  it('shows an error without a field above the buttons', async () => {
    const { user } = renderPage({ ModelFormDialog_CreateModelMutation: () => gqlError('Only admins may do this.', 'FORBIDDEN') });
    await user.click(await screen.findByRole('button', { name: '+ New Model' }));
    await user.type(input('Name'), 'x');
    await user.type(input('Upstream model'), 'x');
    await user.type(input('Input price (coins per 1M tokens)'), '0');
    await user.type(input('Output price (coins per 1M tokens)'), '0');
    await user.click(screen.getByRole('button', { name: 'Create model' }));
    expect((await within(dialog('New Model')).findByRole('alert')).textContent).toContain('Only admins may do this.');
  });

  it('edits a model: opens on its settings and sends only what changed', async () => {
    const { user, api } = renderPage({
      ModelFormDialog_UpdateModelMutation: (v) => ({
        data: {
          updateModel: { model: { ...LLAMA, inputCoinsPerMillion: (v.input as { inputCoinsPerMillion: string }).inputCoinsPerMillion } },
        },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit llama-3.1-8b' }));
    expect(dialog('Edit llama-3.1-8b')).toBeTruthy();
    expect((input('Upstream URL') as HTMLInputElement).value).toBe('http://vllm.internal:8000/v1');
    expect((input('Key variable name') as HTMLInputElement).value).toBe('LUMEN_UPSTREAM_KEY_VLLM');
    expect((input('Input price (coins per 1M tokens)') as HTMLInputElement).value).toBe('0.5');
    await user.clear(input('Input price (coins per 1M tokens)'));
    await user.type(input('Input price (coins per 1M tokens)'), '0.75');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('llama-3.1-8b was saved.')).toBeTruthy();
    expect(api.callsOf('ModelFormDialog_UpdateModelMutation')[0].variables).toEqual({
      input: { modelId: LLAMA.id, inputCoinsPerMillion: '0.75' },
    });
    // The row shows the new price from the mutation's answer (the normalized cache), without a refetch.
    expect(within(screen.getByRole('rowheader', { name: /^llama/ }).closest('tr')!).getByText('0.75')).toBeTruthy();
    expect(api.callsOf('ModelsPage_ModelsQuery')).toHaveLength(1);
  });

  it('works by keyboard: Escape closes the form and focus returns to + New Model', async () => {
    const { user } = renderPage();
    const open = await screen.findByRole('button', { name: '+ New Model' });
    open.focus();
    await user.keyboard('{Enter}');
    expect(dialog('New Model')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(open);
  });
});
