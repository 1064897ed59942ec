import { useCallback, useEffect } from 'react';
import { useParams } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../../gql';
import { ErrorMessage, Spinner } from '../../components/ui';
import { NotFound } from '../../components/NotFound';
import { errorMessage } from '../../lib/errors';
import { ApiKeysSection } from '../apiKeys/ApiKeysSection';
import { ModelAccessTable } from '../models/ModelAccessTable';
import { OwnerUsageChart } from '../usage/OwnerUsageChart';
import { BudgetAlertsSection } from './BudgetAlertsSection';
import { ClientHeader } from './ClientHeader';
import { CoinPoolSettingsButton } from './CoinPoolSettings';
import { ManagersSection } from './ManagersSection';
import { RateLimitsSection } from './RateLimitsSection';
import { UsageCards } from './UsageCards';

export const ClientPageQuery = graphql(`
  query ClientPage_ClientQuery($id: ID!) {
    client(id: $id) {
      id
      name
      viewerCan {
        createApiKey
        revokeApiKey
        grantModelConsent
        setCoinPool
        setModelAccess
      }
      ...ClientHeader_ClientFragment
      ...UsageCards_UsageOwnerFragment
      ...ManagersSection_ClientFragment
      ...RateLimitsSection_ClientFragment
      ...CoinPoolSettings_UsageOwnerFragment
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

// Live: each event's figures go into the cache (src/cache/ownerEvents.ts), and the page with them.
const ClientUsageSubscription = graphql(`
  subscription ClientPage_ClientUsageSubscription($clientId: ID!) {
    clientUsage(clientId: $clientId) {
      client {
        id
      }
      ...OwnerEvents_UsageEventFragment
    }
  }
`);

export function ClientPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ClientPageQuery, variables: { id } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useSubscription({ query: ClientUsageSubscription, variables: { clientId: id }, pause: !id });
  // When the refill countdown runs out, fetch the new balance a moment later.
  const onRefillDue = useCallback(() => {
    setTimeout(refetch, 1500);
  }, [refetch]);

  const client = data?.client;
  useEffect(() => {
    document.title = client ? `${client.name} · Lumen` : 'Client · Lumen';
  }, [client]);

  if (!data && fetching) return <Spinner label="Loading client…" />;
  if (!data && error) return <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>;
  if (!client) {
    return (
      <NotFound
        title="Client not found"
        text="This client does not exist, or you are not one of its managers."
        back={{ to: '/clients', label: 'Back to clients' }}
      />
    );
  }

  // The usage example names a model a call would succeed with; failing that, one the owner may use once it has coins.
  const exampleModel = (
    client.modelAccess.find((m) => m.callable) ?? client.modelAccess.find((m) => m.status === 'ALLOWED' || m.status === 'CONSENTED')
  )?.model.name;
  return (
    <div className="page">
      <ClientHeader client={client} actions={client.viewerCan.setCoinPool ? <CoinPoolSettingsButton owner={client} /> : null} />
      {error && <ErrorMessage onRetry={refetch}>{errorMessage(error)}</ErrorMessage>}
      <UsageCards owner={client} onRefillDue={onRefillDue} />
      <OwnerUsageChart ownerId={client.id} subject={client.name} />
      <RateLimitsSection client={client} />
      <BudgetAlertsSection clientId={client.id} />
      <ManagersSection client={client} />
      <ApiKeysSection
        owner={client}
        ownerLabel={client.name}
        canCreate={client.viewerCan.createApiKey}
        canRevoke={client.viewerCan.revokeApiKey}
        exampleModel={exampleModel}
      />
      <ModelAccessTable
        owner={client}
        canGrantConsent={client.viewerCan.grantModelConsent}
        canSetAccess={client.viewerCan.setModelAccess}
        consentScope={`all API keys of ${client.name}`}
      />
    </div>
  );
}
