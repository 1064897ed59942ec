import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

export const NEXT_KEY = 'lumen.afterSignIn';

const SignInOptionsQuery = graphql(`
  query SignInPage_SignInOptionsQuery {
    signInOptions {
      oidc
      oidcLabel
    }
  }
`);

const ERRORS: Record<string, string> = {
  expired: 'That sign-in link has expired or was already used. Ask an admin for a new one.',
  invalid: 'That sign-in link is not valid. Ask an admin for a new one.',
  inactive: 'Your account is deactivated. Contact an admin of this Lumen instance.',
  oidc: 'Your institution did not sign you in. Try again, or ask an admin for a sign-in link.',
  // OpenID Connect refusals (api/src/domain/oidcSignIn.ts): nobody was signed in or changed.
  unverified:
    'Your identity provider did not confirm your email address, so Lumen cannot tell which account is yours. Confirm the address with your institution and try again, or ask an admin of this Lumen instance for a sign-in link.',
  taken:
    'An account with this email already exists and is linked to a different identity, so Lumen did not sign you in. Ask an admin of this Lumen instance.',
};

export function SignInPage() {
  const [params] = useSearchParams();
  const error = params.get('error');
  const next = params.get('next');
  // Public: answers before signing in. Without an answer the page still explains the link.
  const [{ data }] = useQuery({ query: SignInOptionsQuery });
  const oidc = data?.signInOptions.oidc ? data.signInOptions : null;
  useEffect(() => {
    document.title = 'Sign in · Lumen';
  }, []);
  useEffect(() => {
    // The sign-in link lands on "/": remember where the person was going (same-site paths only).
    if (next && next.startsWith('/') && !next.startsWith('//')) sessionStorage.setItem(NEXT_KEY, next);
  }, [next]);
  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Lumen
        </div>
        <h1>Sign in</h1>
        {error && (
          <div className="alert alert-error" role="alert">
            {ERRORS[error] ?? 'Signing in did not work. Ask an admin for a new sign-in link.'}
          </div>
        )}
        {oidc && (
          <>
            <a className="button button-primary oidc-button" href="/auth/oidc/start">
              {oidc.oidcLabel || 'Sign in with your institution'}
            </a>
            <div className="divider" role="separator">
              or
            </div>
          </>
        )}
        <p>
          {oidc ? 'You can also sign in' : 'Lumen signs you in'} with a <strong>one-time link</strong>. Ask an admin of this instance to
          create one for you; it works once, for 15 minutes. Admins print a link on the server with:
        </p>
        <pre className="code-inline">
          <code>npm run lumen -- login-link --email you@example.org</code>
        </pre>
        <p className="muted">Open the link in this browser and you will land on your clients.</p>
      </div>
    </main>
  );
}
