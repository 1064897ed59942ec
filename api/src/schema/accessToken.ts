// Admin-API tokens (lat_...), like GitHub's personal access tokens: the secret is
// shown once, then only its hint; a token may expire, and revoking it works at once.
import { ACCESS_TOKEN_MAX_DAYS, createAccessToken, listAccessTokens, revokeAccessToken } from '../domain/auth.ts';
import { DomainError } from '../domain/errors.ts';
import { builder } from './builder.ts';
import { UserRef } from './user.ts';
import { canSeeAccessToken } from './visibility.ts';

export const AccessTokenRef = builder.prismaNode('AccessToken', {
  id: { field: 'id' },
  authScopes: canSeeAccessToken,
  fields: (t) => ({
    name: t.exposeString('name'),
    hint: t.exposeString('hint', { description: 'First 4 and last 4 characters of the secret, for recognising it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Updated at most once a minute.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the token stops working; null if it never expires.',
    }),
    current: t.boolean({
      description: 'This is the token the request is authenticated with.',
      resolve: (token, _args, ctx) => ctx.accessTokenHash !== null && token.hash === ctx.accessTokenHash,
    }),
  }),
});

builder.objectField(UserRef, 'accessTokens', (t) =>
  t.field({
    type: [AccessTokenRef],
    description: "This user's admin-API tokens that are not revoked (expired ones included), newest first. The user and admins see it.",
    authScopes: (user, _args, ctx) => ctx.permissions.canActForUser(user.id),
    resolve: (user) => listAccessTokens(user.id),
  }),
);

builder.relayMutationField(
  'createAccessToken',
  {
    inputFields: (f) => ({
      name: f.string({ required: true, description: 'What the token is for, such as "backup script" or "laptop".' }),
      expiresAt: f.field({
        type: 'DateTime',
        description: `When the token stops working: in the future, at most ${ACCESS_TOKEN_MAX_DAYS} days (five years) ahead. Null or left out: never.`,
      }),
    }),
  },
  {
    description: 'A new admin-API token of your own. Only a browser session may create one (or the CLI), never another token.',
    authScopes: { loggedIn: true },
    resolve: async (_root, { input }, ctx) => {
      // Otherwise a leaked token could mint successors that outlive its expiry and its revocation.
      if (ctx.accessTokenHash !== null) {
        throw new DomainError(
          'FORBIDDEN',
          'An admin-API token cannot create tokens: create one on the Profile page (signed in in the browser) or with `lumen token create`',
        );
      }
      await ctx.countKeyCreation();
      const { accessToken, token } = await createAccessToken(ctx.viewer, ctx.viewer!.id, input);
      return { accessToken, secret: token };
    },
  },
  {
    outputFields: (t) => ({
      accessToken: t.expose('accessToken', { type: AccessTokenRef }),
      secret: t.exposeString('secret', { description: 'The token itself. Shown this once and never again: only its hash is kept.' }),
    }),
  },
);

builder.relayMutationField(
  'revokeAccessToken',
  { inputFields: (f) => ({ id: f.globalID({ for: AccessTokenRef, required: true }) }) },
  {
    description: "Stops a token at once. Your own tokens; admins may revoke anyone's.",
    authScopes: { loggedIn: true },
    resolve: async (_root, { input }, ctx) => ({ accessToken: await revokeAccessToken(ctx.viewer!, input.id.id) }),
  },
  { outputFields: (t) => ({ accessToken: t.expose('accessToken', { type: AccessTokenRef }) }) },
);
