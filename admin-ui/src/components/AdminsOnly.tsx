import { useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { errorMessage } from '../lib/errors';
import { ErrorMessage, Spinner } from './ui';

/**
 * The instance-wide admin permissions. One document for the navigation and every admin page,
 * so the normalized cache answers all of them after the first.
 */
export const AdminsOnly_ViewerCanQuery = graphql(`
  query AdminsOnly_ViewerCanQuery {
    viewerCan {
      createModel
      manageModels
      manageUsers
    }
  }
`);

/** The ViewerPermissions field that opens an admin page. */
export type AdminPermission = 'manageModels' | 'manageUsers';

/** What the viewer may open; false while unknown (nothing admin-only shows before the answer). */
export function useAdminPermissions() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AdminsOnly_ViewerCanQuery });
  const can = data?.viewerCan;
  return {
    can: {
      manageModels: can?.manageModels ?? false,
      manageUsers: can?.manageUsers ?? false,
      createModel: can?.createModel ?? false,
    } satisfies Record<AdminPermission | 'createModel', boolean>,
    known: Boolean(can),
    fetching,
    error,
    retry: () => reexecute({ requestPolicy: 'network-only' }),
  };
}

/** The page a non-admin sees on an admin page opened by its URL: says why, and where to go instead. */
export function AdminsOnly({ page }: { page: string }) {
  useEffect(() => {
    document.title = `${page} · Lumen`;
  }, [page]);
  return (
    <div className="not-found admins-only">
      <h1>Admins only</h1>
      <p>
        The {page} page is for the admins of this Lumen instance. If you need a change here, ask one of them; they can also make you an
        admin.
      </p>
      <p>
        <Link to="/clients">Go to your clients</Link> or <Link to="/profile">your profile</Link>.
      </p>
    </div>
  );
}

/**
 * Renders `children` (which run the admin-only queries) only for a viewer with `permission`;
 * anyone else gets the Admins only page, never a blank one.
 */
export function AdminsOnlyGate({ permission, page, children }: { permission: AdminPermission; page: string; children: ReactNode }) {
  const { can, known, fetching, error, retry } = useAdminPermissions();
  if (!known && error && !fetching) return <ErrorMessage onRetry={retry}>{errorMessage(error)}</ErrorMessage>;
  if (!known) return <Spinner label={`Loading ${page.toLowerCase()}…`} />;
  if (!can[permission]) return <AdminsOnly page={page} />;
  return <>{children}</>;
}
