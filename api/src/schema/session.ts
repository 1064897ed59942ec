// Browser sessions: people see where they are signed in and can end any of them; admins see and end anyone's.
import { listSessions, revokeSession } from '../domain/auth.ts';
import { builder } from './builder.ts';
import { globalIdOf } from './globalIds.ts';
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
    description: 'Where this user is signed in (sessions not ended or expired). The user and admins see it, and may end them.',
    authScopes: (user, _args, ctx) => ctx.permissions.canActForUser(user.id),
    resolve: (user) => listSessions(user.id),
  }),
);

builder.relayMutationField(
  'revokeSession',
  { inputFields: (f) => ({ id: f.globalID({ for: SessionRef, required: true }) }) },
  {
    description: "Ends a session at once (signs that browser out). Your own sessions; admins may end anyone's.",
    authScopes: { loggedIn: true },
    resolve: async (_root, { input }, ctx) => {
      await revokeSession(ctx.viewer!, input.id.id);
      return { revokedSessionId: globalIdOf('Session', input.id.id) };
    },
  },
  { outputFields: (t) => ({ revokedSessionId: t.exposeID('revokedSessionId') }) },
);
