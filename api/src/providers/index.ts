// Providers by the name stored in Model.provider (one for each of domain/models.ts's PROVIDERS).
import type { ProviderName } from '../domain/models.ts';
import { echoProvider } from './echo.ts';
import { openaiCompatibleProvider } from './openaiCompatible.ts';
import { type Provider, UpstreamError } from './types.ts';

const providers: Record<ProviderName, Provider> = {
  echo: echoProvider,
  'openai-compatible': openaiCompatibleProvider,
};

export function providerFor(model: { name: string; provider: string }): Provider {
  const provider = Object.hasOwn(providers, model.provider) ? providers[model.provider as ProviderName] : undefined;
  if (!provider) {
    throw new UpstreamError(
      500,
      'model_misconfigured',
      `Model ${model.name} names an unknown provider "${model.provider}"; an admin must fix the model`,
      'error',
    );
  }
  return provider;
}

export { UpstreamError } from './types.ts';
export type { TokenUsage, StreamResult, CompleteResult, ChatCall, CompletionCall, EmbeddingCall, Provider } from './types.ts';
