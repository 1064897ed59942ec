// Browser sessions: people see where they are signed in and can end any of them.
import { listSessions, revokeSession } from '../domain/auth.ts';
import { builder } from './builder.ts';
import { requireIdOf } from './ids.ts';
import { UserRef } from './user.ts';
import { canSeeSession } from './visibility.ts';

export const SessionRef = builder.prismaNode('Session', {
  id: { field: 'id' },
  authScopes: canSeeSession,
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    current: t.boolean({
      description: 'This is the session of the browser asking.',
      resolve: (session, _args, ctx) => session.hash === ctx.sessionHash,
    }),
  }),
});

builder.objectField(UserRef, 'sessions', (t) =>
  t.field({
    type: [SessionRef],
    description: 'Where this user is signed in. Only the user sees it.',
    authScopes: (user, _args, ctx) => ctx.viewer?.id === user.id,
    resolve: (user) => listSessions(user.id),
  }),
);

builder.mutationField('revokeSession', (t) =>
  t.field({
    type: builder.simpleObject('RevokeSessionPayload', { fields: (p) => ({ revokedSessionId: p.id() }) }),
    args: {
      input: t.arg({
        type: builder.inputType('RevokeSessionInput', { fields: (f) => ({ id: f.id({ required: true }) }) }),
        required: true,
      }),
    },
    authScopes: { loggedIn: true },
    resolve: async (_root, { input }, ctx) => {
      await revokeSession(ctx.viewer!, requireIdOf('Session', input.id, 'id'));
      return { revokedSessionId: input.id };
    },
  }),
);
