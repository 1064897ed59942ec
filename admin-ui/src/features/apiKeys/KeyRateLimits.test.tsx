import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeFragmentData } from '../../gql';
import { apiKeyData } from '../../test/fixtures';
import { mockApi, renderWithApi } from '../../test/utils';
import { ApiKeysTable, ApiKeysTable_ApiKeyFragment } from './ApiKeysTable';
import { KeyRateLimits } from './KeyRateLimits';

describe("A key's rate limits", () => {
  it('are shown under its name in the key table', () => {
    const keys = [
      apiKeyData({ id: 'QXBpS2V5OjE=', name: 'limited', rateLimits: { requestsPerMinute: 60, tokensPerMinute: 10000 } }),
      apiKeyData({ id: 'QXBpS2V5OjI=', name: 'free' }),
    ].map((key) => makeFragmentData(key, ApiKeysTable_ApiKeyFragment));
    renderWithApi(<ApiKeysTable apiKeys={keys} canRevoke={false} onRevoke={() => undefined} emptyText="none" />, mockApi({}));
    expect(screen.getByText('Limit: 60 requests/min · 10,000 tokens/min')).toBeTruthy();
    expect(screen.getAllByText(/^Limit:/)).toHaveLength(1);
  });

  it('name only the limits that are set', () => {
    render(<KeyRateLimits limits={{ requestsPerMinute: null, tokensPerMinute: 500 }} />);
    expect(screen.getByText('Limit: 500 tokens/min')).toBeTruthy();
  });
});
