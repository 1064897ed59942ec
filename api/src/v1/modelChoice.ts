// The model a request names, and whether this key's owner may call it. Refusals
// say what to do about them: who can allow a blocked model, how to give consent.
import { consentDirections, unblockDirections } from '../domain/directions.ts';
import type { KeyAccess } from '../domain/keyAccess.ts';
import { isCallable, type ModelAccessEntry } from '../domain/modelAccess.ts';
import { findKeyAccess } from '../domain/keyAccess.ts';
import { globalIdOf } from '../schema/globalIds.ts';
import { V1Error } from './errors.ts';
import { forgetKeys } from './keyCache.ts';

const forbidden = (code: string, message: string) => new V1Error(403, 'permission_error', code, message, 'model');

export async function chooseModel(access: KeyAccess, hash: string, name: string): Promise<ModelAccessEntry> {
  let entry = access.models.get(name);
  if (!entry) {
    // A model created since this key was cached: look once more before saying it does not exist.
    const fresh = await findKeyAccess(hash);
    entry = fresh?.models.get(name);
    if (entry) forgetKeys();
  }
  if (!entry) {
    throw new V1Error(
      404,
      'invalid_request_error',
      'model_not_found',
      `The model "${name.slice(0, 200)}" does not exist; GET /v1/models lists the models this key may call.`,
      'model',
    );
  }
  if (isCallable(entry.status)) return entry;
  const model = entry.model;
  const who = access.ownerKind === 'client' ? `client "${access.ownerName}"` : 'your personal keys';
  if (model.disabled)
    throw forbidden('model_disabled', `The model ${model.name} is disabled by the administrators of this Lumen instance.`);
  if (entry.status === 'BLOCKED')
    throw forbidden('model_blocked', `The model ${model.name} is blocked for ${who}; ${unblockDirections(access.owner)}`);
  const modelId = globalIdOf('Model', model.id);
  const how = consentDirections(access.owner, access.ownerName, modelId);
  throw forbidden(
    'consent_required',
    `The model ${model.name} needs consent before ${who} may use it. ${how} Notice: ${model.consentNotice ?? ''}`.trim(),
  );
}
