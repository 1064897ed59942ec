// GET /v1/models: the models this key may call right now, in OpenAI's list format.
import type { KeyAccess } from '../domain/keyAccess.ts';
import { isCallable, type ModelAccessEntry } from '../domain/modelAccess.ts';
import { V1Error } from './errors.ts';
import { json, type V1Answer } from './exchange.ts';

const listed = (entry: ModelAccessEntry) => ({
  id: entry.model.name,
  object: 'model',
  created: Math.floor(entry.model.createdAt.getTime() / 1000),
  owned_by: 'lumen',
});

export function listModels(access: KeyAccess): V1Answer {
  const data = [...access.models.values()].filter((entry) => isCallable(entry.status)).map(listed);
  return json({ object: 'list', data });
}

export function retrieveModel(access: KeyAccess, name: string): V1Answer {
  const entry = access.models.get(name);
  if (!entry || !isCallable(entry.status)) {
    throw new V1Error(
      404,
      'invalid_request_error',
      'model_not_found',
      `The model "${name.slice(0, 200)}" does not exist or this key may not call it; GET /v1/models lists the models it may call.`,
      'model',
    );
  }
  return json(listed(entry));
}
