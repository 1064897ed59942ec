import { useEffect, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate, useOutletContext } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { ResultOf } from '../../lib/types';
import { useAdminPermissions } from '../../components/AdminsOnly';
import { Badge, ErrorMessage, Spinner } from '../../components/ui';
import { ConnectionBanner } from '../../connection/ConnectionBanner';
import { errorMessage, isUnauthenticated } from '../../lib/errors';
import { CSRF_HEADER } from '../../urql';
import { NEXT_KEY } from '../auth/SignInPage';

const ViewerQuery = graphql(`
  query Layout_ViewerQuery {
    viewer {
      id
      name
      email
      isAdmin
    }
  }
`);

export type Viewer = ResultOf<typeof ViewerQuery>['viewer'];

export function useViewer(): Viewer {
  return useOutletContext<{ viewer: Viewer }>().viewer;
}

export async function signOut(): Promise<void> {
  try {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { ...CSRF_HEADER } });
  } finally {
    // A full page load drops every cached query of the old session.
    window.location.assign('/signin');
  }
}

/** The signed-in shell: header with navigation, the viewer and Sign out. */
export function Layout() {
  const location = useLocation();
  const [{ data, error, fetching }, reexecute] = useQuery({ query: ViewerQuery });
  // The admin pages' links show only when the API says the viewer may use them.
  const admin = useAdminPermissions();
  const [signingOut, setSigningOut] = useState(false);
  const navigate = useNavigate();
  const signedIn = Boolean(data?.viewer);
  useEffect(() => {
    if (!signedIn) return;
    const next = sessionStorage.getItem(NEXT_KEY);
    if (next) {
      sessionStorage.removeItem(NEXT_KEY);
      navigate(next, { replace: true });
    }
  }, [signedIn, navigate]);

  if (isUnauthenticated(error)) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (!data) {
    return (
      <div className="app-loading">
        {fetching || !error ? (
          <Spinner label="Loading Lumen…" />
        ) : (
          <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>{errorMessage(error)}</ErrorMessage>
        )}
      </div>
    );
  }
  const viewer = data.viewer;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/clients" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Lumen
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/clients">Clients</NavLink>
            {admin.can.manageModels && <NavLink to="/models">Models</NavLink>}
            {admin.can.manageUsers && <NavLink to="/users">Users</NavLink>}
            {admin.can.manageUsers && <NavLink to="/usage">Usage</NavLink>}
            <NavLink to="/profile">Profile</NavLink>
          </nav>
          <div className="topbar-user">
            <span className="viewer" title={viewer.email}>
              <span className="viewer-name">{viewer.name}</span>
              {viewer.isAdmin && (
                <>
                  {' '}
                  <Badge tone="blue">admin</Badge>
                </>
              )}
            </span>
            <button
              type="button"
              className="button button-small"
              disabled={signingOut}
              onClick={() => {
                setSigningOut(true);
                void signOut();
              }}
            >
              {signingOut ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="main">
        <ConnectionBanner />
        <Outlet context={{ viewer }} />
      </main>
    </div>
  );
}
