import { render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { modelData, viewerCan } from '../test/modelFixtures';
import { mockApi } from '../test/utils';

const viewer = (isAdmin: boolean) => ({
  data: { viewer: { __typename: 'User', id: 'VXNlcjox', name: isAdmin ? 'Dana Admin' : 'Ada Manager', email: 'x@example.org', isAdmin } },
});

function renderApp(path: string, admin: boolean) {
  const api = mockApi({
    Layout_ViewerQuery: () => viewer(admin),
    AdminsOnly_ViewerCanQuery: () => viewerCan(admin),
    ModelsPage_ModelsQuery: () => ({ data: { models: [modelData()] } }),
  });
  render(
    <MemoryRouter initialEntries={[path]}>
      <App client={api.client} />
    </MemoryRouter>,
  );
  return api;
}

describe('admin pages in the app', () => {
  it('gives an admin the Models and Users links, and the Models page', async () => {
    renderApp('/models', true);
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    expect(await within(nav).findByRole('link', { name: 'Models' })).toBeTruthy();
    expect(within(nav).getByRole('link', { name: 'Users' }).getAttribute('href')).toBe('/users');
    expect(await screen.findByRole('link', { name: 'llama-3.1-8b' })).toBeTruthy();
  });

  it('shows a manager neither link, and the Admins only page for /models opened by its URL', async () => {
    const api = renderApp('/models', false);
    expect(await screen.findByRole('heading', { level: 1, name: 'Admins only' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Clients' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Models' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Users' })).toBeNull();
    expect(api.callsOf('ModelsPage_ModelsQuery')).toHaveLength(0);
    await waitFor(() => expect(document.title).toBe('Models · Lumen'));
  });
});
