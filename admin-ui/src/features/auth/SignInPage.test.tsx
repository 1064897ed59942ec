import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, renderWithApi } from '../../test/utils';
import { SignInPage } from './SignInPage';

const options = () => ({ data: { signInOptions: { __typename: 'SignInOptions', oidc: true, oidcLabel: null } } });

describe('SignInPage', () => {
  it('says why the identity provider sign-in was refused, and what to do', async () => {
    renderWithApi(<SignInPage />, mockApi({ SignInPage_SignInOptionsQuery: options }), { path: '/start?error=taken' });
    expect((await screen.findByRole('alert')).textContent).toBe(
      'An account with this email already exists and is linked to a different identity, so Lumen did not sign you in. Ask an admin of this Lumen instance.',
    );
  });

  it('explains an email the identity provider did not confirm', async () => {
    renderWithApi(<SignInPage />, mockApi({ SignInPage_SignInOptionsQuery: options }), { path: '/start?error=unverified' });
    expect((await screen.findByRole('alert')).textContent).toMatch(
      /^Your identity provider did not confirm your email address.*ask an admin of this Lumen instance for a sign-in link\.$/,
    );
  });
});
