import { useCallback, useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { Badge, ErrorMessage, Spinner } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { ApiKeysSection } from '../apiKeys/ApiKeysSection';
import { UsageCards } from '../client/UsageCards';
import { useLiveTick } from '../client/useLiveUsage';
import { ModelAccessTable } from '../models/ModelAccessTable';
import { AccessTokensSection } from './AccessTokensSection';

const ProfileQuery = graphql(`
  query ProfilePage_ViewerQuery {
    viewer {
      id
      name
      email
      isAdmin
      ...UsageCards_UsageOwnerFragment
      modelAccess {
        status
        model {
          id
          name
        }
        ...ModelAccessTable_ModelAccessFragment
      }
    }
  }
`);

const ViewerUsageSubscription = graphql(`
  subscription ProfilePage_ViewerUsageSubscription {
    viewerUsage {
      change
      at
    }
  }
`);

const profileContext = { additionalTypenames: ['ModelAccess'] };

/** The viewer's personal API keys and model access: the same sections as a client's page. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProfileQuery, context: profileContext });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // Live: metered requests with personal keys, keys created or revoked, consent, refills.
  const liveTick = useLiveTick({ query: ViewerUsageSubscription });
  useEffect(() => {
    if (liveTick) refetch();
  }, [liveTick, refetch]);
  const onRefillDue = useCallback(() => {
    setTimeout(refetch, 1500);
  }, [refetch]);
  useEffect(() => {
    document.title = 'Profile · Lumen';
  }, []);
  if (!data && fetching) return <Spinner label="Loading your profile…" />;
  if (!data) {
    return <ErrorMessage onRetry={refetch}>{errorMessage(error) ?? 'Your profile could not be loaded.'}</ErrorMessage>;
  }
  const viewer = data.viewer;
  const exampleModel = viewer.modelAccess.find((m) => m.status === 'ALLOWED' || m.status === 'CONSENTED')?.model.name;
  return (
    <div className="page">
      <header className="page-header">
        <div className="page-title-row">
          <div>
            <h1>{viewer.name}</h1>
            <span className="muted">{viewer.email}</span> {viewer.isAdmin && <Badge tone="blue">admin</Badge>}
          </div>
        </div>
        <p className="muted">Personal API keys belong to you, not to a client. Use them for your own notebooks and scripts.</p>
      </header>
      {error && <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>}
      <UsageCards owner={viewer} label="Your usage" tokensNote="personal keys" onRefillDue={onRefillDue} />
      <ApiKeysSection
        clientId={null}
        ownerLabel="your personal account"
        canCreate
        canRevoke
        exampleModel={exampleModel}
        refreshSignal={liveTick}
      />
      <AccessTokensSection />
      <ModelAccessTable modelAccess={viewer.modelAccess} clientId={null} canGrantConsent consentScope="your personal API keys" />
    </div>
  );
}
