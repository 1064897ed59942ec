// What the sign-in page may offer; answerable before signing in.
import { config } from '../config.ts';
import { builder } from './builder.ts';

const SignInOptionsRef = builder.objectRef<{ oidc: boolean; oidcLabel: string | null }>('SignInOptions').implement({
  fields: (t) => ({
    oidc: t.exposeBoolean('oidc', { description: 'Whether "Sign in with your institution" (OIDC) is configured.' }),
    oidcLabel: t.exposeString('oidcLabel', { nullable: true }),
  }),
});

builder.queryField('signInOptions', (t) =>
  t.field({
    type: SignInOptionsRef,
    resolve: () => {
      const oidc = config().oidc;
      return { oidc: oidc !== null, oidcLabel: oidc?.label ?? null };
    },
  }),
);
