// The model form's values, checked by the rules the API applies (api/src/domain/models.ts),
// so most mistakes are shown beside their field before anything is sent. The API still
// decides: what it refuses comes back as BAD_USER_INPUT naming the field (lib/fieldErrors.ts).
import type { AccessRule, ModelKind } from '../../gql/graphql';

export const PROVIDERS = ['echo', 'openai-compatible'] as const;

export const PROVIDER_HELP =
  'echo answers with the prompt itself (for trying Lumen out); openai-compatible forwards to vLLM, Ollama, OpenAI or any API like theirs.';

export const KIND_HELP =
  'Chat models answer /v1/chat/completions and the legacy /v1/completions; embedding models answer /v1/embeddings and are billed for their input only.';

export const UPSTREAM_KEY_PREFIX = 'LUMEN_UPSTREAM_KEY_';
/** The rule, as the form shows it under the field. */
export const UPSTREAM_KEY_RULE = `The name of the server's environment variable that holds the key, never the key itself. It must start with ${UPSTREAM_KEY_PREFIX} and continue with capital letters, digits or _, such as ${UPSTREAM_KEY_PREFIX}OPENAI. Leave empty when the upstream needs no key.`;

export interface ModelFormValues {
  name: string;
  provider: string;
  kind: ModelKind;
  upstreamModel: string;
  upstreamBaseUrl: string;
  upstreamKeyEnv: string;
  inputCoinsPerMillion: string;
  outputCoinsPerMillion: string;
  maxOutputTokens: string;
  defaultAccess: AccessRule;
  needsConsent: boolean;
  consentNotice: string;
}

export type ModelField = keyof ModelFormValues;
export type ModelFieldErrors = Partial<Record<ModelField, string>>;

export const EMPTY_MODEL: ModelFormValues = {
  name: '',
  provider: 'echo',
  kind: 'CHAT',
  upstreamModel: '',
  upstreamBaseUrl: '',
  upstreamKeyEnv: '',
  inputCoinsPerMillion: '',
  outputCoinsPerMillion: '',
  maxOutputTokens: '4096',
  defaultAccess: 'ALLOWED',
  needsConsent: false,
  consentNotice: '',
};

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const PRICE = /^\d+(\.\d{1,6})?$/;
const KEY_ENV = /^LUMEN_UPSTREAM_KEY_[A-Z0-9_]+$/;
const MAX_OUTPUT = 10_000_000;

/** Only an openai-compatible model calls an upstream; the echo provider answers itself. */
export function usesUpstream(values: Pick<ModelFormValues, 'provider'>): boolean {
  return values.provider === 'openai-compatible';
}

function checkPrice(value: string, which: string): string | undefined {
  const text = value.trim();
  if (!text) return `Enter the ${which} price in coins per million tokens, for example 0.5 (0 for free).`;
  if (text.startsWith('-')) return `The ${which} price cannot be negative.`;
  if (!PRICE.test(text)) return `The ${which} price must be a number of coins with at most 6 decimal places, for example 0.5 or 12.25.`;
  return undefined;
}

function checkUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  } catch {
    // falls through to the message
  }
  return 'Enter the upstream’s base URL, starting with http:// or https://, such as https://api.openai.com/v1.';
}

/** Every problem the API would refuse, by field; empty when the form may be sent. */
export function validateModel(values: ModelFormValues): ModelFieldErrors {
  const errors: ModelFieldErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = 'Give the model a name: what clients pass as "model", such as llama-3.1-8b.';
  else if ([...name].length > 200) errors.name = 'The name can be at most 200 characters long.';
  else if (!MODEL_NAME.test(name))
    errors.name = 'The name may contain letters, digits and . _ : / @ - only, and starts with a letter or digit.';

  const upstreamModel = values.upstreamModel.trim();
  if (!upstreamModel) errors.upstreamModel = 'Enter the model’s name at the upstream, such as meta-llama/Llama-3.1-8B-Instruct.';
  else if ([...upstreamModel].length > 200) errors.upstreamModel = 'The upstream model can be at most 200 characters long.';
  else if (CONTROL.test(upstreamModel)) errors.upstreamModel = 'The upstream model cannot contain control characters or line breaks.';

  if (usesUpstream(values)) {
    const urlProblem = checkUrl(values.upstreamBaseUrl);
    if (urlProblem) errors.upstreamBaseUrl = urlProblem;
    const keyEnv = values.upstreamKeyEnv.trim();
    if (keyEnv && !KEY_ENV.test(keyEnv)) {
      errors.upstreamKeyEnv = /^[A-Z_][A-Z0-9_]*$/.test(keyEnv)
        ? `${keyEnv} is not allowed: the variable's name must start with ${UPSTREAM_KEY_PREFIX}, so that no other secret of the server can be sent to an upstream.`
        : `Enter the NAME of an environment variable, such as ${UPSTREAM_KEY_PREFIX}OPENAI, never the key itself.`;
    }
  }

  const inputPrice = checkPrice(values.inputCoinsPerMillion, 'input');
  if (inputPrice) errors.inputCoinsPerMillion = inputPrice;
  const outputPrice = checkPrice(values.outputCoinsPerMillion, 'output');
  if (outputPrice) errors.outputCoinsPerMillion = outputPrice;

  const maxOutput = values.maxOutputTokens.trim();
  if (!/^\d+$/.test(maxOutput) || Number(maxOutput) < 1 || Number(maxOutput) > MAX_OUTPUT) {
    errors.maxOutputTokens = `The output limit must be a whole number of tokens from 1 to ${MAX_OUTPUT.toLocaleString('en-US')}.`;
  }

  const notice = values.consentNotice.trim();
  if (values.needsConsent && !notice) errors.consentNotice = 'Write the notice people agree to: consent needs something to consent to.';
  else if (notice.length > 10_000) errors.consentNotice = 'The consent notice can be at most 10,000 characters long.';
  return errors;
}

/** What createModel / updateModel take for these values (trimmed; upstream fields only for a model that calls one). */
export function modelInput(values: ModelFormValues) {
  const upstream = usesUpstream(values);
  return {
    name: values.name.trim(),
    provider: values.provider,
    kind: values.kind,
    upstreamModel: values.upstreamModel.trim(),
    upstreamBaseUrl: upstream ? values.upstreamBaseUrl.trim() : null,
    upstreamKeyEnv: upstream ? values.upstreamKeyEnv.trim() || null : null,
    inputCoinsPerMillion: values.inputCoinsPerMillion.trim(),
    outputCoinsPerMillion: values.outputCoinsPerMillion.trim(),
    maxOutputTokens: Number(values.maxOutputTokens.trim()),
    defaultAccess: values.defaultAccess,
    needsConsent: values.needsConsent,
    consentNotice: values.consentNotice.trim() || null,
  };
}

export type ModelInput = ReturnType<typeof modelInput>;

/** Only what changed, for updateModel: omitted fields stay as they are. */
export function changedFields(before: ModelFormValues, after: ModelFormValues): Partial<ModelInput> {
  const was = modelInput(before);
  const now = modelInput(after);
  const changed: Partial<ModelInput> = {};
  for (const key of Object.keys(now) as (keyof ModelInput)[]) {
    if (was[key] !== now[key]) Object.assign(changed, { [key]: now[key] });
  }
  return changed;
}
