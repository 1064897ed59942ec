import { useId } from 'react';
import { graphql, getFragmentData, type FragmentType } from '../../gql';
import { Badge } from '../../components/ui';
import { formatCoins, formatInt } from '../../lib/format';
import { ConsentNotice } from './ConsentNotice';
import { ModelHealthBadge } from './ModelHealth';

export const ModelSettings_ModelFragment = graphql(`
  fragment ModelSettings_ModelFragment on Model {
    id
    name
    provider
    kind
    upstreamModel
    upstreamBaseUrl
    upstreamKeyEnv
    inputCoinsPerMillion
    outputCoinsPerMillion
    maxOutputTokens
    defaultAccess
    needsConsent
    consentNotice
    status
    statusReason
    requestsLast24Hours
  }
`);

/** The model's settings, and its consent notice as the consent dialog shows it. */
export function ModelSettings(props: { model: FragmentType<typeof ModelSettings_ModelFragment> }) {
  const model = getFragmentData(ModelSettings_ModelFragment, props.model);
  const settingsId = useId();
  const consentId = useId();
  return (
    <>
      <section className="section" aria-labelledby={settingsId}>
        <div className="section-header">
          <h2 id={settingsId}>Settings</h2>
        </div>
        <dl className="settings-list card">
          <div>
            <dt>Health</dt>
            <dd>
              <ModelHealthBadge status={model.status} reason={model.statusReason} />
              {model.statusReason && <span className="settings-note">{model.statusReason}</span>}
            </dd>
          </div>
          <div>
            <dt>Requests in the last 24 hours</dt>
            <dd>{formatInt(model.requestsLast24Hours)}</dd>
          </div>
          <div>
            <dt>Kind</dt>
            <dd>{model.kind === 'EMBEDDING' ? 'Embeddings (POST /v1/embeddings)' : 'Chat (POST /v1/chat/completions, /v1/completions)'}</dd>
          </div>
          <div>
            <dt>Provider</dt>
            <dd>{model.provider}</dd>
          </div>
          <div>
            <dt>Upstream model</dt>
            <dd>{model.upstreamModel}</dd>
          </div>
          {(model.upstreamBaseUrl || model.provider === 'openai-compatible') && (
            <>
              <div>
                <dt>Upstream URL</dt>
                <dd>{model.upstreamBaseUrl ?? 'Not set'}</dd>
              </div>
              <div>
                <dt>Key variable name</dt>
                <dd>{model.upstreamKeyEnv ? <code>{model.upstreamKeyEnv}</code> : 'None: requests are sent without a key'}</dd>
              </div>
            </>
          )}
          <div>
            <dt>Input price</dt>
            <dd>{formatCoins(model.inputCoinsPerMillion)} coins per 1M tokens</dd>
          </div>
          <div>
            <dt>Output price</dt>
            <dd>{formatCoins(model.outputCoinsPerMillion)} coins per 1M tokens</dd>
          </div>
          <div>
            <dt>Output limit</dt>
            <dd>{formatInt(model.maxOutputTokens)} tokens per answer</dd>
          </div>
          <div>
            <dt>Default access</dt>
            <dd>
              {model.defaultAccess === 'BLOCKED' ? (
                <>
                  <Badge tone="red">Blocked</Badge> <span className="settings-note">only clients with an Allowed rule may call it</span>
                </>
              ) : (
                <>
                  <Badge tone="green">Allowed</Badge>{' '}
                  <span className="settings-note">every client may call it unless a rule blocks it</span>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>Consent</dt>
            <dd>{model.needsConsent ? 'Required before a client’s keys may use it' : 'Not needed'}</dd>
          </div>
        </dl>
      </section>
      <section className="section" aria-labelledby={consentId}>
        <div className="section-header">
          <h2 id={consentId}>Consent notice</h2>
        </div>
        {model.needsConsent ? (
          <>
            <p className="muted">What managers and people with personal keys are asked to agree to, as the consent dialog shows it:</p>
            <ConsentNotice notice={model.consentNotice} />
          </>
        ) : (
          <p className="muted">
            This model needs no consent.
            {model.consentNotice ? ' Its notice is kept for when consent is turned on.' : ''}
          </p>
        )}
      </section>
    </>
  );
}
