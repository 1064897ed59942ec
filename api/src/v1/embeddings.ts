// POST /v1/embeddings, in OpenAI's shape: `input` as a string, an array of strings, a
// token array or an array of token arrays; `encoding_format` float or base64;
// `dimensions`; `user`. Metered by input tokens at the model's input price: the
// reservation covers an upper bound of the input's tokens (v1/textInputs.ts), and
// settles to the tokens the provider reports. Only EMBEDDING models answer here.
import type { KeyAccess } from '../domain/keyAccess.ts';
import { badRequest } from './errors.ts';
import type { V1Answer, V1Request } from './exchange.ts';
import { meteredCall, requireKind } from './meteredCall.ts';
import { chooseModel } from './modelChoice.ts';
import { positiveInteger, readJsonBody } from './requestBody.ts';
import { textInputs, textInputTokenBound, type TextInput } from './textInputs.ts';

/** The most inputs in one request (OpenAI's limit too). */
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_DIMENSIONS = 16_384;

export interface EmbeddingRequest {
  body: Record<string, unknown>;
  model: string;
  inputs: TextInput[];
  dimensions: number | null;
  encodingFormat: 'float' | 'base64';
}

export function parseEmbeddingRequest(raw: unknown): EmbeddingRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badRequest('The request body must be a JSON object with "model" and "input"');
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw badRequest('"model" is required: the name of an embedding model, as listed by GET /v1/models', 'model');
  }
  const inputs = textInputs(body.input, 'input', MAX_EMBEDDING_INPUTS, false);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    throw badRequest(`"encoding_format" must be "float" or "base64" (got ${JSON.stringify(format).slice(0, 40)})`, 'encoding_format');
  if (body.user !== undefined && body.user !== null && typeof body.user !== 'string') throw badRequest('"user" must be a string', 'user');
  return {
    body,
    model: body.model,
    inputs,
    dimensions: positiveInteger(body, 'dimensions', MAX_DIMENSIONS),
    encodingFormat: format,
  };
}

export async function embeddings(request: V1Request, access: KeyAccess, keyHash: string): Promise<V1Answer> {
  const started = performance.now();
  const embedding = parseEmbeddingRequest(await readJsonBody(request));
  const { model } = await chooseModel(access, keyHash, embedding.model);
  request.model = model.name;
  requireKind(model, 'EMBEDDING');
  const bounds = { inputTokens: textInputTokenBound(embedding.inputs), outputTokens: 0 };
  const { inputs, dimensions, encodingFormat, body } = embedding;
  return meteredCall(
    request,
    access,
    model,
    bounds,
    started,
    { stream: false, call: (provider, signal) => provider.embed({ model, body, inputs, dimensions, encodingFormat, signal }) },
    { madeOf: 'its input', lower: 'Send less input' },
  );
}
