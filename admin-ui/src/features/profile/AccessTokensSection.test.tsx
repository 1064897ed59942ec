import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeFragmentData } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { gqlError, mockApi, type Handler, renderWithApi } from '../../test/utils';
import { AccessTokensSection } from './AccessTokensSection';
import { AccessTokensTable_AccessTokenFragment } from './AccessTokensTable';

const SECRET = 'lat_Abc1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx9xQz';
const DAY_MS = 24 * 3600 * 1000;

type TokenData = ResultOf<typeof AccessTokensTable_AccessTokenFragment>;

const TOKEN_ID = 'QWNjZXNzVG9rZW46MQ==';

function token(overrides: Partial<TokenData> = {}) {
  const data: TokenData = {
    id: TOKEN_ID,
    name: 'backup script',
    hint: 'lat_...9xQz',
    createdAt: '2026-07-01T10:00:00Z',
    lastUsedAt: '2026-07-04T14:13:00Z',
    expiresAt: new Date(Date.now() + 20 * DAY_MS).toISOString(),
    current: false,
    ...overrides,
  };
  return { __typename: 'AccessToken' as const, ...makeFragmentData(data, AccessTokensTable_AccessTokenFragment) };
}

const listOf = (tokens: ReturnType<typeof token>[]) => ({
  data: { viewer: { __typename: 'User', id: 'VXNlcjox', accessTokens: tokens } },
});

function renderSection(handlers: Record<string, Handler>) {
  const api = mockApi({ AccessTokensSection_ViewerAccessTokensQuery: () => listOf([token()]), ...handlers });
  return { api, ...renderWithApi(<AccessTokensSection />, api) };
}

describe('AccessTokensSection', () => {
  it('lists tokens with hint, dates, the token in use and expired ones, sending the CSRF header', async () => {
    const { api } = renderSection({
      AccessTokensSection_ViewerAccessTokensQuery: () =>
        listOf([
          token(),
          token({ id: 'QWNjZXNzVG9rZW46Mg==', name: 'this script', current: true, expiresAt: null, lastUsedAt: null }),
          token({ id: 'QWNjZXNzVG9rZW46Mw==', name: 'old laptop', expiresAt: '2026-01-01T00:00:00Z' }),
        ]),
    });
    const row = (await screen.findByText('backup script')).closest('tr')!;
    expect(within(row).getByText('lat_...9xQz')).toBeTruthy();
    expect(within(row).queryByText('This token')).toBeNull();
    expect(within(row).getByRole('button', { name: 'Revoke backup script' })).toBeTruthy();
    const current = screen.getByText('this script').closest('tr')!;
    expect(within(current).getByText('This token')).toBeTruthy();
    expect(within(current).getAllByText('Never')).toHaveLength(2); // never used, never expires
    const expired = screen.getByText('old laptop').closest('tr')!;
    expect(within(expired).getByText('Expired')).toBeTruthy();
    expect(api.callsOf('AccessTokensSection_ViewerAccessTokensQuery')[0].headers.get('x-lumen-csrf')).toBe('1');
  });

  it('creates a token expiring in 30 days by default: the secret is shown once, then only its hint', async () => {
    let created = false;
    const { api, user } = renderSection({
      AccessTokensSection_ViewerAccessTokensQuery: () => listOf(created ? [token({ id: 'QWNjZXNzVG9rZW46NA==', name: 'nightly' })] : []),
      AccessTokensSection_CreateAccessTokenMutation: (v) => {
        created = true;
        const input = v.input as { name: string; expiresAt: string };
        return {
          data: {
            createAccessToken: {
              __typename: 'CreateAccessTokenPayload',
              secret: SECRET,
              accessToken: token({ id: 'QWNjZXNzVG9rZW46NA==', name: input.name, expiresAt: input.expiresAt }),
            },
          },
        };
      },
    });
    expect(await screen.findByText('No admin-API tokens.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '+ New Token' }));
    const dialog = screen.getByRole('dialog', { name: 'New admin-API token' });
    expect((within(dialog).getByLabelText('Expiration') as HTMLSelectElement).value).toBe('30');
    await user.type(within(dialog).getByLabelText('Name'), 'nightly');
    const before = Date.now();
    await user.click(within(dialog).getByRole('button', { name: 'Create Token' }));

    const secretDialog = await screen.findByRole('dialog', { name: 'Copy your new admin-API token' });
    expect((within(secretDialog).getByLabelText(/Admin-API token/) as HTMLInputElement).value).toBe(SECRET);
    expect(within(secretDialog).getByRole('alert').textContent).toContain('only time the token is shown');
    const sent = api.callsOf('AccessTokensSection_CreateAccessTokenMutation')[0].variables.input as { name: string; expiresAt: string };
    expect(sent.name).toBe('nightly');
    const days = (Date.parse(sent.expiresAt) - before) / DAY_MS;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThanOrEqual(30.01);

    await user.click(within(secretDialog).getByRole('button', { name: 'Copy' }));
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    await user.click(within(secretDialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // The list is fetched again and shows only the hint, never the secret.
    expect(await screen.findByText('nightly')).toBeTruthy();
    expect(screen.getByText(/Admin-API token “nightly” created/)).toBeTruthy();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('sends null for No expiration, and the end of the chosen day for a custom date', async () => {
    const { api, user } = renderSection({
      AccessTokensSection_CreateAccessTokenMutation: () => ({
        data: { createAccessToken: { __typename: 'CreateAccessTokenPayload', secret: SECRET, accessToken: token() } },
      }),
    });
    await screen.findByText('backup script');
    await user.click(screen.getByRole('button', { name: '+ New Token' }));
    let dialog = screen.getByRole('dialog', { name: 'New admin-API token' });
    await user.type(within(dialog).getByLabelText('Name'), 'forever');
    await user.selectOptions(within(dialog).getByLabelText('Expiration'), 'No expiration');
    expect(within(dialog).getByText(/works until you revoke it/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Create Token' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Copy your new admin-API token' })).getByRole('button', { name: 'Done' }),
    );
    expect(api.callsOf('AccessTokensSection_CreateAccessTokenMutation')[0].variables).toEqual({
      input: { name: 'forever', expiresAt: null },
    });

    await user.click(screen.getByRole('button', { name: '+ New Token' }));
    dialog = screen.getByRole('dialog', { name: 'New admin-API token' });
    await user.type(within(dialog).getByLabelText('Name'), 'until new year');
    await user.selectOptions(within(dialog).getByLabelText('Expiration'), 'Custom date…');
    // Without a day the dialog says what to do, and sends nothing.
    await user.click(within(dialog).getByRole('button', { name: 'Create Token' }));
    expect(within(dialog).getByRole('alert').textContent).toContain('Pick the day');
    expect(api.callsOf('AccessTokensSection_CreateAccessTokenMutation')).toHaveLength(1);
    const day = new Date(Date.now() + 60 * DAY_MS);
    const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    await user.type(within(dialog).getByLabelText('Expires after'), iso);
    await user.click(within(dialog).getByRole('button', { name: 'Create Token' }));
    await screen.findByRole('dialog', { name: 'Copy your new admin-API token' });
    const sent = api.callsOf('AccessTokensSection_CreateAccessTokenMutation')[1].variables.input as { expiresAt: string };
    expect(sent.expiresAt).toBe(new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).toISOString());
  });

  it('keeps what was typed and shows the API message when creating fails', async () => {
    const { user } = renderSection({
      AccessTokensSection_CreateAccessTokenMutation: () => gqlError('expiresAt must be in the future, not 2020-01-01T00:00:00.000Z'),
    });
    await screen.findByText('backup script');
    await user.click(screen.getByRole('button', { name: '+ New Token' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'ci');
    await user.click(within(dialog).getByRole('button', { name: 'Create Token' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('expiresAt must be in the future');
    expect((within(dialog).getByLabelText('Name') as HTMLInputElement).value).toBe('ci');
  });

  it('revokes a token after confirmation, and the list drops it', async () => {
    let revoked = false;
    const { api, user } = renderSection({
      AccessTokensSection_ViewerAccessTokensQuery: () => listOf(revoked ? [] : [token()]),
      AccessTokensSection_RevokeAccessTokenMutation: () => {
        revoked = true;
        return {
          data: {
            revokeAccessToken: {
              __typename: 'RevokeAccessTokenPayload',
              accessToken: { __typename: 'AccessToken', id: TOKEN_ID, name: 'backup script' },
            },
          },
        };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Revoke backup script' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “backup script”?' });
    expect(within(dialog).getByText(/cannot be undone/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('AccessTokensSection_RevokeAccessTokenMutation')[0].variables).toEqual({ input: { id: TOKEN_ID } });
    expect(screen.getByText('Admin-API token “backup script” revoked.')).toBeTruthy();
    expect(await screen.findByText('No admin-API tokens.')).toBeTruthy();
  });

  it('after a revocation, focus goes to the section heading, since the row and its button leave', async () => {
    let revoked = false;
    const { user } = renderSection({
      AccessTokensSection_ViewerAccessTokensQuery: () => listOf(revoked ? [] : [token()]),
      AccessTokensSection_RevokeAccessTokenMutation: () => {
        revoked = true;
        return {
          data: {
            revokeAccessToken: {
              __typename: 'RevokeAccessTokenPayload',
              accessToken: { __typename: 'AccessToken', id: TOKEN_ID, name: 'backup script' },
            },
          },
        };
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Revoke backup script' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    const heading = screen.getByRole('heading', { name: 'Admin-API Tokens' });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(await screen.findByText('No admin-API tokens.')).toBeTruthy();
    expect(document.activeElement).toBe(heading);
  });

  it('keeps the confirmation open with the API message when revoking fails', async () => {
    const { user } = renderSection({
      AccessTokensSection_RevokeAccessTokenMutation: () =>
        gqlError('No access token with id 0190 that you can revoke; it may have been revoked already'),
    });
    await user.click(await screen.findByRole('button', { name: 'Revoke backup script' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke “backup script”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('may have been revoked already');
  });

  it('shows an error with a retry when the tokens cannot be loaded', async () => {
    renderSection({ AccessTokensSection_ViewerAccessTokensQuery: () => gqlError('Database is starting, try again.', 'INTERNAL') });
    expect((await screen.findByRole('alert')).textContent).toContain('Database is starting, try again.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
