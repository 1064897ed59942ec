import { useCallback, useEffect } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { Badge, ErrorMessage, Spinner } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { ApiKeysSection } from '../apiKeys/ApiKeysSection';
import { UsageCards } from '../client/UsageCards';
import { ModelAccessTable } from '../models/ModelAccessTable';
import { OwnerUsageChart } from '../usage/OwnerUsageChart';
import { AccessTokensSection } from './AccessTokensSection';

const ProfileQuery = graphql(`
  query ProfilePage_ViewerQuery {
    viewer {
      id
      name
      email
      isAdmin
      ...UsageCards_UsageOwnerFragment
      ...ApiKeysSection_UsageOwnerFragment
      ...ModelAccessTable_UsageOwnerFragment
      modelAccess {
        status
        callable
        model {
          id
          name
        }
      }
    }
  }
`);

// Live: metered requests with personal keys, keys created or revoked, consent, refills; each
// event's figures go into the cache (src/cache/ownerEvents.ts), and the page with them.
const ViewerUsageSubscription = graphql(`
  subscription ProfilePage_ViewerUsageSubscription {
    viewerUsage {
      user {
        id
      }
      ...OwnerEvents_UsageEventFragment
    }
  }
`);

/** The viewer's personal API keys and model access: the same sections as a client's page. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProfileQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useSubscription({ query: ViewerUsageSubscription });
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
  // The usage example names a model a call would succeed with; failing that, one the owner may use once it has coins.
  const exampleModel = (
    viewer.modelAccess.find((m) => m.callable) ?? viewer.modelAccess.find((m) => m.status === 'ALLOWED' || m.status === 'CONSENTED')
  )?.model.name;
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
      <OwnerUsageChart ownerId={viewer.id} subject="your personal keys" />
      <ApiKeysSection owner={viewer} ownerLabel="your personal account" canCreate canRevoke exampleModel={exampleModel} />
      <AccessTokensSection />
      <ModelAccessTable owner={viewer} canGrantConsent consentScope="your personal API keys" />
    </div>
  );
}
