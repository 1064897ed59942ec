// Key expiry in the key table (Never, the date, Expired, and a highlighted warning in words
// within 7 days) and in the New API Key dialog (never or the instance's longest lifetime by
// default, fixed lifetimes within it, or a day).
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { apiKey, apiKeysOwner, CLIENT_ID } from '../../test/fixtures';
import { gqlError, mockApi, type Handler, renderWithApi } from '../../test/utils';
import { ApiKeysSection } from './ApiKeysSection';

const DAY_MS = 24 * 3600 * 1000;
const SECRET = 'sk_Abc1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx9xQz';
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

function keysQuery(keys: ReturnType<typeof apiKey>[], apiKeyMaxDays: number | null = null): Handler {
  return () => ({
    data: {
      apiKeyMaxDays,
      node: {
        __typename: 'Client',
        id: CLIENT_ID,
        apiKeys: {
          totalCount: keys.length,
          edges: keys.map((node, i) => ({ cursor: `cursor-${i}`, node: { __typename: 'ApiKey', ...node } })),
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      },
    },
  });
}

const created: Handler = () => ({
  data: { createApiKey: { secret: SECRET, apiKey: { __typename: 'ApiKey', ...apiKey({ id: 'QXBpS2V5Ojk=', name: 'ci-runner' }) } } },
});

function renderSection(handlers: Record<string, Handler>) {
  const api = mockApi({ ApiKeysSection_CreateApiKeyMutation: created, ...handlers });
  const view = renderWithApi(<ApiKeysSection owner={apiKeysOwner()} ownerLabel="example-bot" canCreate canRevoke />, api);
  return { api, ...view };
}

const expiresCell = (name: string) => {
  const row = screen.getByText(name).closest('tr')!;
  return { row, cell: row.querySelector('td[data-label="Expires"]') as HTMLElement };
};

describe('the key table', () => {
  it('shows Never, the date, Expired when past, and a highlighted warning in words within 7 days', async () => {
    renderSection({
      ApiKeysSection_ApiKeysQuery: keysQuery([
        apiKey({ id: 'QXBpS2V5OjE=', name: 'forever', expiresAt: null }),
        apiKey({ id: 'QXBpS2V5OjI=', name: 'later', expiresAt: inDays(40) }),
        apiKey({ id: 'QXBpS2V5OjM=', name: 'soon', expiresAt: inDays(2.6) }),
        apiKey({ id: 'QXBpS2V5OjQ=', name: 'tonight', expiresAt: inDays(0.25) }),
        apiKey({ id: 'QXBpS2V5OjU=', name: 'gone', expiresAt: inDays(-2) }),
      ]),
    });
    await screen.findByText('forever');
    expect(screen.getByRole('columnheader', { name: /Expires/ })).toBeTruthy();

    expect(expiresCell('forever').cell.textContent).toBe('Never');
    const later = expiresCell('later');
    expect(later.cell.textContent).not.toMatch(/Expire/);
    expect(later.row.className).not.toContain('row-expiring');

    // Within 7 days: the row is highlighted and the cell says so in words, not by colour alone.
    const soon = expiresCell('soon');
    expect(within(soon.cell).getByText('Expires in 3 days')).toBeTruthy();
    expect(soon.row.className).toContain('row-expiring');
    expect(within(expiresCell('tonight').cell).getByText('Expires within a day')).toBeTruthy();

    const gone = expiresCell('gone');
    expect(within(gone.cell).getByText('Expired')).toBeTruthy();
    expect(gone.row.className).not.toContain('row-expiring');
  });

  it('a revoked key shows its expiry date without warnings', async () => {
    renderSection({
      ApiKeysSection_ApiKeysQuery: keysQuery([
        apiKey({ name: 'old', active: false, revokedAt: '2026-07-02T09:00:00Z', expiresAt: inDays(2) }),
      ]),
    });
    await screen.findByText('old');
    const { row, cell } = expiresCell('old');
    expect(cell.textContent).not.toMatch(/Expire/);
    expect(row.className).toBe('row-muted');
  });
});

describe('the New API Key dialog', () => {
  async function openDialog(handlers: Record<string, Handler>) {
    const view = renderSection(handlers);
    await screen.findByText('production');
    await view.user.click(screen.getByRole('button', { name: '+ New API Key' }));
    const dialog = screen.getByRole('dialog', { name: 'New API Key' });
    await view.user.type(within(dialog).getByLabelText('Name'), 'ci-runner');
    return { ...view, dialog, expires: within(dialog).getByLabelText('Expires') as HTMLSelectElement };
  }
  const optionsOf = (select: HTMLSelectElement) => Array.from(select.options).map((o) => o.textContent);

  it('without an instance limit: never by default (sent without expiresAt), or a fixed lifetime', async () => {
    const { api, user, dialog, expires } = await openDialog({ ApiKeysSection_ApiKeysQuery: keysQuery([apiKey()]) });
    expect(optionsOf(expires)).toEqual(['Never', '30 days', '90 days', '1 year', 'Custom date…']);
    expect(expires.selectedOptions[0].textContent).toBe('Never');
    expect(within(dialog).getByText('The key works until it is revoked.')).toBeTruthy();
    await user.selectOptions(expires, '90 days');
    expect(within(dialog).getByText(/The key stops working on .*; the table highlights it 7 days before\./)).toBeTruthy();
    const before = Date.now();
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    await screen.findByRole('dialog', { name: 'Copy your new API key' });
    const input = api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables.input as { expiresAt: string };
    const sent = Date.parse(input.expiresAt);
    expect(sent).toBeGreaterThanOrEqual(before + 90 * DAY_MS);
    expect(sent).toBeLessThanOrEqual(Date.now() + 90 * DAY_MS);
  });

  it('sends no expiresAt for Never', async () => {
    const { api, user, dialog } = await openDialog({ ApiKeysSection_ApiKeysQuery: keysQuery([apiKey()]) });
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    await screen.findByRole('dialog', { name: 'Copy your new API key' });
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toEqual({ input: { clientId: CLIENT_ID, name: 'ci-runner' } });
  });

  it('with LUMEN_API_KEY_MAX_DAYS: its longest lifetime by default, no Never, nothing longer offered', async () => {
    const { api, user, dialog, expires } = await openDialog({ ApiKeysSection_ApiKeysQuery: keysQuery([apiKey()], 60) });
    expect(optionsOf(expires)).toEqual(['60 days (the longest allowed)', '30 days', 'Custom date…']);
    expect(expires.selectedOptions[0].textContent).toBe('60 days (the longest allowed)');
    await user.selectOptions(expires, 'Custom date…');
    const day = within(dialog).getByLabelText('Expires after') as HTMLInputElement;
    expect(day.max).not.toBe('');
    expect(within(dialog).getByText('The key works through this day, at most 60 days ahead.')).toBeTruthy();
    await user.selectOptions(expires, '60 days (the longest allowed)');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    await screen.findByRole('dialog', { name: 'Copy your new API key' });
    // The API applies its own longest lifetime, so no clock difference can make it refuse.
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toEqual({ input: { clientId: CLIENT_ID, name: 'ci-runner' } });
  });

  it('a custom day: the key works through it, until the local midnight after', async () => {
    const { api, user, dialog, expires } = await openDialog({ ApiKeysSection_ApiKeysQuery: keysQuery([apiKey()]) });
    await user.selectOptions(expires, 'Custom date…');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'Pick the day the key should stop working, or choose another expiry.',
    );
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')).toHaveLength(0);

    const day = within(dialog).getByLabelText('Expires after');
    await user.type(day, '2031-03-14');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    await screen.findByRole('dialog', { name: 'Copy your new API key' });
    expect(api.callsOf('ApiKeysSection_CreateApiKeyMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, name: 'ci-runner', expiresAt: new Date(2031, 2, 15).toISOString() },
    });
  });

  it('shows the API refusal of the expiry, keeping what was chosen', async () => {
    const { user, dialog, expires } = await openDialog({
      ApiKeysSection_ApiKeysQuery: keysQuery([apiKey()]),
      ApiKeysSection_CreateApiKeyMutation: () =>
        gqlError(
          'expiresAt can be at most 30 days ahead on this instance (LUMEN_API_KEY_MAX_DAYS), that is no later than 2027-01-01T00:00:00.000Z',
        ),
    });
    await user.selectOptions(expires, '90 days');
    await user.click(within(dialog).getByRole('button', { name: 'Save Key' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('at most 30 days ahead');
    expect(expires.selectedOptions[0].textContent).toBe('90 days');
  });
});
