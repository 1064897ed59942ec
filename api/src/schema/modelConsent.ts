// Consent to a model that needs it: for a client by its managers, or for your own personal keys.
import { grantModelConsent } from '../domain/modelAccess.ts';
import { builder } from './builder.ts';
import { ClientRef } from './client.ts';
import { ModelRef } from './model.ts';
import { ModelAccessRef } from './modelAccess.ts';

builder.relayMutationField(
  'grantModelConsent',
  {
    inputFields: (f) => ({
      clientId: f.globalID({ for: ClientRef, description: 'Leave out to consent for your own personal keys.' }),
      modelId: f.globalID({ for: ModelRef, required: true }),
    }),
  },
  {
    authScopes: (_root, { input }) =>
      input.clientId == null ? { loggedIn: true } : { clientAction: { action: 'grantModelConsent', clientId: input.clientId.id } },
    resolve: async (_root, { input }, ctx) => {
      const owner = input.clientId == null ? { userId: ctx.viewer!.id } : { clientId: input.clientId.id };
      return { modelAccess: await grantModelConsent(ctx.viewer!, owner, input.modelId.id) };
    },
  },
  { outputFields: (t) => ({ modelAccess: t.expose('modelAccess', { type: ModelAccessRef }) }) },
);
