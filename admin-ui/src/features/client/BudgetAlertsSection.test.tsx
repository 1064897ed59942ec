import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID } from '../../test/fixtures';
import { mockApi, renderWithApi, type Handler } from '../../test/utils';
import { BudgetAlertsSection, parseThresholds, PENDING_REFRESH_MS } from './BudgetAlertsSection';

const OFF = { __typename: 'BudgetAlerts', enabled: false, webhookUrl: null, secretHint: null, thresholds: [], deliveries: [] };

const ON = {
  __typename: 'BudgetAlerts',
  enabled: true,
  webhookUrl: 'https://hooks.example.org/lumen',
  secretHint: 'whse...Q9x2',
  thresholds: [
    { __typename: 'BudgetAlertThreshold', percent: 75, armed: false, firedAt: '2026-07-04T14:00:00Z' },
    { __typename: 'BudgetAlertThreshold', percent: 25, armed: true, firedAt: null },
  ],
  deliveries: [
    {
      __typename: 'BudgetAlertDelivery',
      eventId: 'evt-1',
      thresholdPercent: 75,
      balance: '74.5',
      capacity: '100',
      at: '2026-07-04T14:00:00Z',
      status: 'DELIVERED',
      nextAttemptAt: null,
      attempts: [
        { __typename: 'BudgetAlertAttempt', at: '2026-07-04T14:00:01Z', httpStatus: 500, error: null },
        { __typename: 'BudgetAlertAttempt', at: '2026-07-04T14:00:31Z', httpStatus: null, error: 'ECONNREFUSED: connect refused' },
        { __typename: 'BudgetAlertAttempt', at: '2026-07-04T14:01:31Z', httpStatus: 200, error: null },
      ],
    },
  ],
};

function client(budgetAlerts: object, canSet = true) {
  return {
    data: {
      client: {
        __typename: 'Client',
        id: CLIENT_ID,
        viewerCan: { __typename: 'ClientPermissions', setBudgetAlerts: canSet },
        budgetAlerts,
      },
    },
  };
}

/** The message an input points at (aria-describedby). */
const messageOf = (input: HTMLElement) =>
  (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

describe('BudgetAlertsSection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads its deliveries again while one is being retried, and not once all are settled', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const pending = { ...ON, deliveries: [{ ...ON.deliveries[0], status: 'PENDING', nextAttemptAt: '2026-07-04T14:02:31Z' }] };
    let answer: object = pending;
    const api = mockApi({ BudgetAlertsSection_BudgetAlertsQuery: () => client(answer) });
    renderWithApi(<BudgetAlertsSection clientId={CLIENT_ID} />, api);
    expect(await screen.findByText('Retrying')).toBeTruthy();
    const loads = api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length;
    answer = ON;
    await vi.advanceTimersByTimeAsync(PENDING_REFRESH_MS);
    await waitFor(() => expect(api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length).toBe(loads + 1));
    expect(await screen.findByText('Delivered')).toBeTruthy();
    expect(api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length).toBe(loads + 1);
    await vi.advanceTimersByTimeAsync(3 * PENDING_REFRESH_MS);
    expect(api.callsOf('BudgetAlertsSection_BudgetAlertsQuery').length).toBe(loads + 1);
  });

  it('is not shown to those who may not change the alerts', async () => {
    const api = mockApi({ BudgetAlertsSection_BudgetAlertsQuery: () => client(ON, false) });
    renderWithApi(<BudgetAlertsSection clientId={CLIENT_ID} />, api);
    await waitFor(() => expect(api.callsOf('BudgetAlertsSection_BudgetAlertsQuery')).toHaveLength(1));
    expect(screen.queryByRole('heading', { name: 'Budget Alerts' })).toBeNull();
  });

  it('shows the webhook, the thresholds and every attempt of the recent deliveries', async () => {
    renderWithApi(<BudgetAlertsSection clientId={CLIENT_ID} />, mockApi({ BudgetAlertsSection_BudgetAlertsQuery: () => client(ON) }));
    expect(await screen.findByRole('heading', { name: 'Budget Alerts' })).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'Webhook' })).getByText('https://hooks.example.org/lumen')).toBeTruthy();
    const thresholds = within(screen.getByRole('list', { name: 'Thresholds' })).getAllByRole('listitem');
    expect(thresholds.map((t) => t.textContent)).toEqual(['75% of capacity Fired', '25% of capacity Armed']);
    expect(within(screen.getByRole('group', { name: 'Signing Secret' })).getByText('whse...Q9x2')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Recent deliveries' });
    const [, row] = within(table).getAllByRole('row');
    expect(within(row).getByText('75%')).toBeTruthy();
    expect(within(row).getByText('Delivered')).toBeTruthy();
    const attempts = within(within(row).getByRole('list', { name: 'Attempts for the 75% alert' })).getAllByRole('listitem');
    expect(attempts).toHaveLength(3);
    expect(attempts[0].textContent).toContain('HTTP 500');
    expect(attempts[1].textContent).toContain('no answer (ECONNREFUSED: connect refused)');
    expect(attempts[2].textContent).toContain('HTTP 200');
  });

  it('sets them up: checks the thresholds first, puts the API error beside its field, then shows the secret once', async () => {
    let calls = 0;
    const handlers: Record<string, Handler> = {
      BudgetAlertsSection_BudgetAlertsQuery: () => client(OFF),
      BudgetAlertsSection_SetBudgetAlertsMutation: () => {
        if (++calls === 1) {
          return {
            data: null,
            errors: [
              {
                message: 'webhookUrl must use https in production (an admin can allow http with LUMEN_ALLOW_HTTP_WEBHOOKS=true)',
                extensions: { code: 'BAD_USER_INPUT', field: 'webhookUrl' },
              },
            ],
          };
        }
        return {
          data: {
            setClientBudgetAlerts: {
              signingSecret: 'whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
              client: { __typename: 'Client', id: CLIENT_ID, budgetAlerts: { ...ON, deliveries: [] } },
            },
          },
        };
      },
    };
    const api = mockApi(handlers);
    const { user } = renderWithApi(<BudgetAlertsSection clientId={CLIENT_ID} />, api);
    expect(await screen.findByText(/No alerts\./)).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Recent deliveries' })).getByText('No alerts sent yet.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Set Up Budget Alerts' }));
    const dialog = screen.getByRole('dialog', { name: 'Budget alerts' });
    const url = within(dialog).getByRole('textbox', { name: 'Webhook URL' }) as HTMLInputElement;
    const thresholds = within(dialog).getByRole('textbox', { name: 'Thresholds (% of capacity)' }) as HTMLInputElement;
    expect(document.activeElement).toBe(url);

    await user.type(url, 'http://hooks.example.org/lumen');
    await user.clear(thresholds);
    await user.type(thresholds, '75, 75, 100');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(thresholds.getAttribute('aria-invalid')).toBe('true');
    expect(messageOf(thresholds)).toContain('Enter whole percentages from 1 to 99, each once');
    expect(api.callsOf('BudgetAlertsSection_SetBudgetAlertsMutation')).toHaveLength(0);

    await user.clear(thresholds);
    await user.type(thresholds, '75%, 25');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    expect(messageOf(url)).toContain('must use https in production');

    await user.clear(url);
    await user.type(url, 'https://hooks.example.org/lumen');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    const shown = await screen.findByRole('dialog', { name: 'Copy the signing secret' });
    expect((within(shown).getByRole('textbox', { name: 'Signing secret' }) as HTMLInputElement).value).toBe(
      'whsec_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    );
    expect(within(shown).getByRole('alert').textContent).toContain('This is the only time the signing secret is shown.');
    expect(api.callsOf('BudgetAlertsSection_SetBudgetAlertsMutation')[1].variables).toEqual({
      input: { clientId: CLIENT_ID, webhookUrl: 'https://hooks.example.org/lumen', thresholdsPercent: [75, 25], rotateSecret: false },
    });
    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(within(screen.getByRole('group', { name: 'Webhook' })).getByText('https://hooks.example.org/lumen')).toBeTruthy();
  });

  it('turns them off', async () => {
    const api = mockApi({
      BudgetAlertsSection_BudgetAlertsQuery: () => client(ON),
      BudgetAlertsSection_SetBudgetAlertsMutation: () => ({
        data: { setClientBudgetAlerts: { signingSecret: null, client: { __typename: 'Client', id: CLIENT_ID, budgetAlerts: OFF } } },
      }),
    });
    const { user } = renderWithApi(<BudgetAlertsSection clientId={CLIENT_ID} />, api);
    await user.click(await screen.findByRole('button', { name: 'Edit Budget Alerts' }));
    const dialog = screen.getByRole('dialog', { name: 'Budget alerts' });
    expect(within(dialog).getByRole('checkbox', { name: /Replace the signing secret/ })).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Turn Off Alerts' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.callsOf('BudgetAlertsSection_SetBudgetAlertsMutation')[0].variables).toEqual({
      input: { clientId: CLIENT_ID, webhookUrl: null, thresholdsPercent: [], rotateSecret: false },
    });
    expect(await screen.findByRole('button', { name: 'Set Up Budget Alerts' })).toBeTruthy();
  });
});

describe('parseThresholds', () => {
  it('reads whole percentages from 1 to 99, each once', () => {
    expect(parseThresholds('75, 50 25%')).toEqual([75, 50, 25]);
    expect(parseThresholds('')).toEqual([]);
    expect(parseThresholds('0')).toBeNull();
    expect(parseThresholds('100')).toBeNull();
    expect(parseThresholds('50, 50')).toBeNull();
    expect(parseThresholds('12.5')).toBeNull();
  });
});
