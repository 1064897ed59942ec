import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeFragmentData } from '../../gql';
import { CLIENT_ID, clientData } from '../../test/fixtures';
import { gqlError, mockApi, renderWithApi, type Handler } from '../../test/utils';
import { ClientPage } from './ClientPage';
import { RateLimitsSection, RateLimitsSection_ClientFragment } from './RateLimitsSection';

function section({ admin = false } = {}) {
  return makeFragmentData(
    {
      id: CLIENT_ID,
      rateLimits: { requestsPerMinute: 600, tokensPerMinute: null, requests: 12, tokens: 3456 },
      viewerCan: { setRateLimits: admin },
    },
    RateLimitsSection_ClientFragment,
  );
}

/** The message an input points at (aria-describedby). */
const messageOf = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

describe('RateLimitsSection', () => {
  it("shows the client's limits and what this minute has counted", () => {
    renderWithApi(<RateLimitsSection client={section()} />, mockApi({}));
    const requests = screen.getByRole('group', { name: 'Requests per Minute' });
    expect(within(requests).getByText('600')).toBeTruthy();
    expect(within(requests).getByText('12 counted this minute, for all keys together')).toBeTruthy();
    const tokens = screen.getByRole('group', { name: 'Tokens per Minute' });
    expect(within(tokens).getByText('No limit')).toBeTruthy();
    expect(within(tokens).getByText('3,456 counted this minute')).toBeTruthy();
    // A manager sees them, and no way to change them.
    expect(screen.queryByRole('button', { name: 'Edit Rate Limits' })).toBeNull();
  });

  it('lets an admin change them: empty is no limit, what was typed stays on an error', async () => {
    let attempts = 0;
    const handlers: Record<string, Handler> = {
      ClientPage_ClientQuery: () => ({ data: { client: { __typename: 'Client', ...clientData({ admin: true }), modelAccess: [] } } }),
      ApiKeysSection_ApiKeysQuery: () => ({
        data: {
          node: {
            __typename: 'Client',
            id: CLIENT_ID,
            apiKeys: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
          },
        },
      }),
      RateLimitsSection_SetClientRateLimitsMutation: (v) => {
        const input = v.input as { requestsPerMinute: number | null; tokensPerMinute: number | null };
        if (++attempts === 1) {
          return {
            data: null,
            errors: [
              {
                message: 'tokensPerMinute must be a whole number from 1 to 2147483647',
                extensions: { code: 'BAD_USER_INPUT', field: 'tokensPerMinute' },
              },
            ],
          };
        }
        return {
          data: {
            setClientRateLimits: {
              client: {
                __typename: 'Client',
                id: CLIENT_ID,
                rateLimits: { ...input, requests: 12, tokens: 3456, resetsAt: '2026-07-04T14:53:00Z' },
              },
            },
          },
        };
      },
    };
    const api = mockApi(handlers);
    // On the client's page, so that the answer reaches the section through the cache.
    const { user } = renderWithApi(<ClientPage />, api, { path: `/clients/${CLIENT_ID}`, route: '/clients/:id' });
    await user.click(await screen.findByRole('button', { name: 'Edit Rate Limits' }));
    const dialog = screen.getByRole('dialog', { name: 'Rate limits' });
    const requests = within(dialog).getByRole('textbox', { name: 'Requests per minute' }) as HTMLInputElement;
    const tokens = within(dialog).getByRole('textbox', { name: 'Tokens per minute' }) as HTMLInputElement;
    expect(requests.value).toBe('600');
    expect(tokens.value).toBe('');
    expect(document.activeElement).toBe(requests);

    // Checked before sending: a limit is a whole number above 0.
    await user.clear(requests);
    await user.type(requests, '0');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(requests.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf(requests)).toContain('Enter a whole number above 0, or leave it empty for no limit.');
    expect(api.callsOf('RateLimitsSection_SetClientRateLimitsMutation')).toHaveLength(0);

    await user.clear(requests);
    await user.type(requests, '1,200');
    await user.type(tokens, '99999999999');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/tokensPerMinute must be a whole number/i)).toBeTruthy();
    expect(tokens.getAttribute('aria-invalid')).toBe('true');
    expect(tokens.value).toBe('99999999999');

    await user.clear(tokens);
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('RateLimitsSection_SetClientRateLimitsMutation')[1].variables).toEqual({
      input: { clientId: CLIENT_ID, requestsPerMinute: 1200, tokensPerMinute: null },
    });
    expect(within(screen.getByRole('group', { name: 'Requests per Minute' })).getByText('1,200')).toBeTruthy();
  });

  it('shows an error that belongs to no field in the dialog', async () => {
    const api = mockApi({ RateLimitsSection_SetClientRateLimitsMutation: () => gqlError('No client with id x') });
    const { user } = renderWithApi(<RateLimitsSection client={section({ admin: true })} />, api);
    await user.click(screen.getByRole('button', { name: 'Edit Rate Limits' }));
    const dialog = screen.getByRole('dialog', { name: 'Rate limits' });
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText(/No client with id x/)).toBeTruthy();
  });
});
