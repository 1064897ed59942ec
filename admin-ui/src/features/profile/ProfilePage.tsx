import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import { Badge, ErrorMessage, Spinner } from '../../components/ui';
import { errorMessage } from '../../lib/errors';
import { formatCoins, formatInt } from '../../lib/format';
import { ApiKeysSection } from '../apiKeys/ApiKeysSection';
import { ModelAccessTable } from '../models/ModelAccessTable';

const ProfileQuery = graphql(`
  query ProfilePage_ViewerQuery {
    viewer {
      id
      name
      email
      isAdmin
      usage {
        requests
        totalTokens
        coinsSpent
      }
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

const profileContext = { additionalTypenames: ['ModelAccess'] };

/** The viewer's personal API keys and model access: the same sections as a client's page. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProfileQuery, context: profileContext });
  useEffect(() => {
    document.title = 'Profile · Lumen';
  }, []);
  if (!data && fetching) return <Spinner label="Loading your profile…" />;
  if (!data) {
    return (
      <ErrorMessage onRetry={() => reexecute({ requestPolicy: 'network-only' })}>
        {errorMessage(error) ?? 'Your profile could not be loaded.'}
      </ErrorMessage>
    );
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
        <p className="muted">
          Personal API keys belong to you, not to a client. Use them for your own notebooks and scripts.
        </p>
      </header>
      <section className="cards cards-3" aria-label="Your usage">
        <div className="card">
          <h3 className="card-label">Tokens Used</h3>
          <p className="card-value">{formatInt(viewer.usage.totalTokens)}</p>
          <p className="card-note">input + output, personal keys</p>
        </div>
        <div className="card">
          <h3 className="card-label">Coins Spent</h3>
          <p className="card-value">{formatCoins(viewer.usage.coinsSpent)}</p>
          <p className="card-note">all time</p>
        </div>
        <div className="card">
          <h3 className="card-label">Requests</h3>
          <p className="card-value">{formatInt(viewer.usage.requests)}</p>
          <p className="card-note">all time</p>
        </div>
      </section>
      <ApiKeysSection
        clientId={null}
        ownerLabel="your personal account"
        canCreate
        canRevoke
        exampleModel={exampleModel}
      />
      <ModelAccessTable
        modelAccess={viewer.modelAccess}
        clientId={null}
        canGrantConsent
        consentScope="your personal API keys"
      />
    </div>
  );
}
