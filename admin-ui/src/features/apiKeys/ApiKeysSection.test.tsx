import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiKey, apiKeyData, apiKeysOwner, CLIENT_ID, VIEWER_ID } from '../../test/fixtures';
import { gqlError, mockApi, type Handler, renderWithApi } from '../../test/utils';
import { ApiKeysSection } from './ApiKeysSection';

const SECRET = 'sk_Abc1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx9xQz';

function connection(keys: ReturnType<typeof apiKey>[], hasNextPage = false) {
  const edges = keys.map((node) => ({
    __typename: 'ApiKeyEdge',
    cursor: `cursor-${apiKeyOf(node).id}`,
    node: { __typename: 'ApiKey', ...node },
  }));
  return {
    __typename: 'ApiKeyConnection',
    totalCount: keys.length + (hasNextPage ? 10 : 0),
    edges,
    pageInfo: { __typename: 'PageInfo', hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

const apiKeyOf = (key: ReturnType<typeof apiKey>) => key as unknown as { id: string };

const active = apiKey();
const revoked = apiKey({
  id: 'QXBpS2V5OjI=',
  name: 'old-staging',
  hint: 'sk_Z...0000',
  active: false,
  revokedAt: '2026-07-02T09:00:00Z',
  requests: 3,
});

function clientKeys(): Handler {
  return (v) => ({
    data: {
      node: {
        __typename: 'Client',
        id: CLIENT_ID,
        apiKeys: connection(
          [active, ...(v.includeRevoked ? [revoked] : [])].filter((k) => !v.search || JSON.stringify(k).includes(String(v.search))),
        ),
      },
    },
  });
}

function renderSection(props: Partial<Parameters<typeof ApiKeysSection>[0]>, handlers: Record<string, Handler>) {
  const api = mockApi({ ApiKeysSection_ApiKeysQuery: clientKeys(), ...handlers });
  const view = renderWithApi(
    <ApiKeysSection owner={apiKeysOwner()} ownerLabel="example-bot" canCreate canRevoke exampleModel="qwen2.5-7b-instruct" {...props} />,
    api,
  );
  return { api, ...view };
}

describe('ApiKeysSection', () => {
  it('lists keys with name, hint and counters, sending the CSRF header', async () => {
    const { api } = renderSection({}, {});
    const row = (await screen.findByText('production')).closest('tr')!;
    expect(within(row).getByText('sk_A...9xQz')).toBeTruthy();
    expect(within(row).getByText('505')).toBeTruthy();
    expect(within(row).getByText('1,126,939')).toBeTruthy();
    expect(within(row).getByText('1.35')).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Revoke production' })).toBeTruthy();
    const call = api.callsOf('ApiKeysSection_ApiKeysQuery')[0];
    expect(call.headers.get('x-lumen-csrf')).toBe('1');
    expect(call.variables).toMatchObject({ ownerId: CLIENT_ID, includeRevoked: false, search: null });
    expect(screen.queryByText('old-staging')).toBeNull();
  });

  it('shows revoked keys on request, and searches on the server', async () => {
    const { api, user } = renderSection({}, {});
    await screen.findByText('production');
    await user.click(screen.getByRole('checkbox', { name: 'Show revoked keys' }));
    const row = (await screen.findByText('old-staging')).closest('tr')!;
    expect(within(row).getByText('Revoked')).toBeTruthy();
    expect(within(row).queryByRole('button', { name: /Revoke/ })).toBeNull();

    await user.type(screen.getByRole('searchbox', { name: /Search API keys/ }), 'nothing-like-this');
    expect(await screen.findByText('No API keys match your filter.')).toBeTruthy();
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').at(-1)?.variables).toMatchObject({
      search: 'nothing-like-this',
      includeRevoked: true,
    });
  });

  it('creates a key: name, Save Key, the secret shown once with a warning, then Done', async () => {
    let created = false;
    const { api, user } = renderSection(
      {},
      {
        ApiKeysSection_ApiKeysQuery: () => ({
          data: {
            node: {
              __typename: 'Client',
              id: CLIENT_ID,
              apiKeys: connection(created ? [active, apiKey({ id: 'QXBpS2V5OjM=', name: 'ci-runner', hint: 'sk_A...9xQz' })] : []),
            },
          },
        }),
        ApiKeysSection_CreateApiKeyMutation: () => {
          created = true;
          return {
            data: {
              createApiKey: {
                __typename: 'CreateApiKeyPayload',
                secret: SECRET,
                apiKey: { __typename: 'ApiKey', ...apiKey({ id: 'QXBpS2V5OjM=', name: 'ci-runner' }) },
              },
            },
          };
        },
      },
    );
    expect(await screen.findByText('No active API keys.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '+ New API Key' }));
    const dialog = screen.getByRole('dialog', { name: 'New API Key' });
    await user.type(within(dialog).getByLabelText('Name'), 'ci-runner');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));

    const secretDialog = await screen.findByRole('dialog', { name: 'Copy your new API key' });
    expect((within(secretDialog).getByLabelText(/API key/) as HTMLInputElement).value).toBe(SECRET);
    expect(within(secretDialog).getByRole('alert').textContent).toContain('only time the key is shown');
    expect(within(secretDialog).getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, name: 'ci-runner' },
    });
    await user.click(within(secretDialog).getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    await user.click(within(secretDialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // The list is fetched again and never shows the secret, only the hint.
    expect(await screen.findByText('ci-runner')).toBeTruthy();
    expect(screen.queryByText(SECRET)).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('keeps the typed name and shows the API message when creating fails', async () => {
    const { user } = renderSection(
      {},
      { ApiKeysSection_CreateApiKeyMutation: () => gqlError('Name is too long (at most 100 characters).') },
    );
    await screen.findByText('production');
    await user.click(screen.getByRole('button', { name: '+ New API Key' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'staging');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Name is too long (at most 100 characters).');
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('staging');
  });

  it('sends a 300-character name whole and shows the API refusal beside the field, keeping what was typed', async () => {
    const long = 'k'.repeat(300);
    const { api, user } = renderSection(
      {},
      {
        ApiKeysSection_CreateApiKeyMutation: () => ({
          data: null,
          errors: [{ message: 'name can be at most 100 characters long', extensions: { code: 'BAD_USER_INPUT', field: 'name' } }],
        }),
      },
    );
    await screen.findByText('production');
    await user.click(screen.getByRole('button', { name: '+ New API Key' }));
    const dialog = screen.getByRole('dialog');
    const input = within(dialog).getByLabelText('Name') as HTMLInputElement;
    await user.click(input);
    await user.paste(long);
    expect(input.value).toBe(long); // not cut while typing
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toMatchObject({ input: { name: long } });
    expect(input.value).toBe(long);
    const message = document.getElementById(input.getAttribute('aria-describedby')!)!;
    expect(message.textContent).toBe('Name can be at most 100 characters long');
    expect(within(dialog).queryByRole('alert')).toBeNull(); // beside the field, not a banner
    expect(document.activeElement).toBe(input);
    await user.type(input, '{Backspace}');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    expect(within(dialog).queryByText('Name can be at most 100 characters long')).toBeNull();
  });

  it('revokes a key after confirmation', async () => {
    const { api, user } = renderSection(
      {},
      {
        ApiKeysSection_RevokeApiKeyMutation: () => ({
          data: { revokeApiKey: { apiKey: { __typename: 'ApiKey', ...apiKey({ active: false, revokedAt: '2026-07-05T00:00:00Z' }) } } },
        }),
      },
    );
    await user.click(await screen.findByRole('button', { name: 'Revoke production' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “production”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('ApiKeysSection_RevokeApiKeyMutation')[0].variables).toEqual({ input: { id: apiKeyData().id } });
    expect(screen.getByText(/revoked\. It is listed under Show revoked keys/)).toBeTruthy();
  });

  it('hides create and revoke when the API says the viewer may not', async () => {
    renderSection({ canCreate: false, canRevoke: false }, {});
    await screen.findByText('production');
    expect(screen.queryByRole('button', { name: '+ New API Key' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('shows usage examples with this instance’s /v1 URL', async () => {
    const { user } = renderSection({}, {});
    await user.click(screen.getByRole('button', { name: 'Usage examples' }));
    const panel = screen.getByRole('tabpanel');
    expect(panel.textContent).toContain(`base_url="${window.location.origin}/v1"`);
    expect(panel.textContent).toContain('model="qwen2.5-7b-instruct"');
    await user.click(screen.getByRole('tab', { name: 'curl' }));
    expect(screen.getByRole('tabpanel').textContent).toContain(`curl ${window.location.origin}/v1/chat/completions`);
  });

  it('uses the viewer’s personal keys without a clientId', async () => {
    const api = mockApi({
      ApiKeysSection_ApiKeysQuery: () => ({
        data: { node: { __typename: 'User', id: VIEWER_ID, apiKeys: connection([active]) } },
      }),
      ApiKeysSection_CreateApiKeyMutation: () => ({
        data: { createApiKey: { secret: SECRET, apiKey: { __typename: 'ApiKey', ...apiKey({ name: 'laptop' }) } } },
      }),
    });
    const { user } = renderWithApi(
      <ApiKeysSection owner={apiKeysOwner('viewer')} ownerLabel="your personal account" canCreate canRevoke />,
      api,
    );
    await screen.findByText('production');
    await user.click(screen.getByRole('button', { name: '+ New API Key' }));
    await user.type(screen.getByLabelText('Name'), 'laptop');
    await user.click(screen.getByRole('button', { name: 'Save Key' }));
    await screen.findByRole('dialog', { name: 'Copy your new API key' });
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toEqual({ input: { name: 'laptop' } });
    // One query for any owner: the viewer's keys are asked for by the viewer's id.
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').map((c) => c.variables.ownerId)).toEqual([VIEWER_ID]);
  });

  it('shows more keys: the next page joins the list, after the keys already shown', async () => {
    const page2 = apiKey({ id: 'QXBpS2V5OjQ=', name: 'older-key', hint: 'sk_B...0001' });
    const { api, user } = renderSection(
      {},
      {
        ApiKeysSection_ApiKeysQuery: (v) => ({
          data: {
            node: {
              __typename: 'Client',
              id: CLIENT_ID,
              apiKeys: { ...(v.after ? connection([page2]) : connection([active], true)), totalCount: 2 },
            },
          },
        }),
      },
    );
    await user.click(await screen.findByRole('button', { name: 'Show more keys (1 of 2 shown)' }));
    expect(await screen.findByText('older-key')).toBeTruthy();
    expect(screen.getByText('production')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Show more keys/ })).toBeNull();
    expect(api.callsOf('ApiKeysSection_ApiKeysQuery').map((c) => c.variables.after)).toEqual([null, `cursor-${apiKeyData().id}`]);
  });

  it('shows an error with a retry when the keys cannot be loaded', async () => {
    renderSection({}, { ApiKeysSection_ApiKeysQuery: () => gqlError('Database is starting, try again.', 'INTERNAL') });
    expect((await screen.findByRole('alert')).textContent).toContain('Database is starting, try again.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});

describe('ApiKeysSection: focus and long names', () => {
  const LONG = 'research-pipeline-nightly-'.padEnd(100, 'x');

  function created(name = 'ci-runner'): Handler {
    return () => ({
      data: {
        createApiKey: {
          __typename: 'CreateApiKeyPayload',
          secret: SECRET,
          apiKey: { __typename: 'ApiKey', ...apiKey({ id: 'QXBpS2V5OjM=', name }) },
        },
      },
    });
  }

  it('moves focus to Copy after Save Key, and asks before Escape throws the secret away', async () => {
    const { user } = renderSection({}, { ApiKeysSection_CreateApiKeyMutation: created() });
    await screen.findByText('production');
    const opener = screen.getByRole('button', { name: '+ New API Key' });
    await user.click(opener);
    await user.type(screen.getByLabelText('Name'), 'ci-runner{Enter}');
    const secretDialog = await screen.findByRole('dialog', { name: 'Copy your new API key' });
    const copy = within(secretDialog).getByRole('button', { name: 'Copy' });
    await waitFor(() => expect(document.activeElement).toBe(copy));

    // Escape asks first; Cancel (focused) keeps the secret on screen, focus back on Copy.
    await user.keyboard('{Escape}');
    const ask = screen.getByRole('dialog', { name: 'Close without the key?' });
    expect(ask.textContent).toContain('cannot be shown again');
    expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Cancel' }));
    await user.keyboard('{Enter}');
    expect(screen.queryByRole('dialog', { name: 'Close without the key?' })).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Copy your new API key' })).toBe(secretDialog);
    expect(document.activeElement).toBe(copy);

    // The close button (×) asks the same; confirming closes both, focus back on + New API Key.
    await user.click(within(secretDialog).getByRole('button', { name: 'Close' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Close without the key?' })).getByRole('button', { name: 'Close, the key is copied' }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
    expect(document.body.style.overflow).toBe('');
  });

  it('closes at once with Done, without asking', async () => {
    const { user } = renderSection({}, { ApiKeysSection_CreateApiKeyMutation: created() });
    await screen.findByText('production');
    await user.click(screen.getByRole('button', { name: '+ New API Key' }));
    await user.type(screen.getByLabelText('Name'), 'ci-runner{Enter}');
    const secretDialog = await screen.findByRole('dialog', { name: 'Copy your new API key' });
    await user.click(within(secretDialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('after a revocation, focus goes to the API Keys heading, since the row and its button leave the list', async () => {
    let revoked = false;
    const { user } = renderSection(
      {},
      {
        ApiKeysSection_ApiKeysQuery: () => ({
          data: { node: { __typename: 'Client', id: CLIENT_ID, apiKeys: connection(revoked ? [] : [active]) } },
        }),
        ApiKeysSection_RevokeApiKeyMutation: () => {
          revoked = true;
          return {
            data: { revokeApiKey: { apiKey: { __typename: 'ApiKey', ...apiKey({ active: false, revokedAt: '2026-07-05T00:00:00Z' }) } } },
          };
        },
      },
    );
    await user.click(await screen.findByRole('button', { name: 'Revoke production' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “production”?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const heading = screen.getByRole('heading', { name: 'API Keys' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(await screen.findByText('No active API keys.')).toBeTruthy();
    expect(document.activeElement).toBe(heading);
  });

  it('gives focus back to Revoke when the revocation is cancelled', async () => {
    const { user } = renderSection({}, {});
    const revoke = await screen.findByRole('button', { name: 'Revoke production' });
    await user.click(revoke);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(revoke);
  });

  it('cuts a 100-character key name to one line, keeping it whole as the tooltip and the accessible names', async () => {
    expect(LONG).toHaveLength(100);
    renderSection(
      {},
      {
        ApiKeysSection_ApiKeysQuery: () => ({
          data: { node: { __typename: 'Client', id: CLIENT_ID, apiKeys: connection([apiKey({ name: LONG })]) } },
        }),
      },
    );
    const name = await screen.findByText(LONG);
    expect(name.classList.contains('truncate')).toBe(true);
    expect(name.getAttribute('title')).toBe(LONG);
    expect(screen.getByRole('button', { name: `Revoke ${LONG}` })).toBeTruthy();
  });
});
