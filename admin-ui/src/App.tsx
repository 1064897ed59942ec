import { useMemo, useRef } from 'react';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { Provider, type Client } from 'urql';
import { SignInPage } from './features/auth/SignInPage';
import { ClientPage } from './features/client/ClientPage';
import { ClientsPage } from './features/clients/ClientsPage';
import { Layout } from './features/layout/Layout';
import { ModelPage } from './features/models/ModelPage';
import { ModelsPage } from './features/models/ModelsPage';
import { ProfilePage } from './features/profile/ProfilePage';
import { UsagePage } from './features/usage/UsagePage';
import { UserRoute, UsersRoute } from './features/users/routes';
import { createLumenClient } from './urql';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/signin" element={<SignInPage />} />
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/clients" replace />} />
        <Route path="clients" element={<ClientsPage />} />
        <Route path="clients/:id" element={<ClientPage />} />
        <Route path="models" element={<ModelsPage />} />
        <Route path="models/:id" element={<ModelPage />} />
        <Route path="users" element={<UsersRoute />} />
        <Route path="users/:id" element={<UserRoute />} />
        <Route path="usage" element={<UsagePage />} />
        <Route path="profile" element={<ProfilePage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <div className="not-found">
      <h1>Page not found</h1>
      <Link to="/clients">Go to clients</Link>
    </div>
  );
}

/** The urql client, with UNAUTHENTICATED answers (an expired session) routed to /signin. */
export function App({ client: given }: { client?: Client }) {
  const navigate = useNavigate();
  const location = useLocation();
  // Refs: the client is made once; navigate's identity changes with the location.
  const here = useRef(location.pathname + location.search);
  here.current = location.pathname + location.search;
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;
  const client = useMemo(
    () =>
      given ??
      createLumenClient({
        onUnauthenticated: () => {
          if (here.current.startsWith('/signin')) return;
          const next = here.current === '/' ? '' : `?next=${encodeURIComponent(here.current)}`;
          navigateRef.current(`/signin${next}`, { replace: true });
        },
      }),
    [given],
  );
  return (
    <Provider value={client}>
      <AppRoutes />
    </Provider>
  );
}
