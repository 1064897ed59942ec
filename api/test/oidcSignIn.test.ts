// signInWithOidc under pressure: two first sign-ins of one person at once, and a
// display name from the provider carrying characters Lumen refuses in names.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInWithOidc, unbindOidcIdentity } from '../src/domain/oidcSignIn.ts';
import { startLumen, type TestLumen } from './support/lumen.ts';

let lumen: TestLumen;
before(async () => {
  lumen = await startLumen();
});
after(() => lumen.close());

const options = { adminGroup: null, trustEmail: false, userAgent: 'test' };
const ISSUER = 'https://idp.example.org';

test('two first sign-ins of one person at once both succeed, as one user', async () => {
  // Several people, so that the interleavings differ: the other sign-in may commit before
  // this one's first look-up, between its two look-ups (by identity, then by email), or
  // during its insert (the unique index refuses it, and it tries once more).
  for (let person = 0; person < 12; person++) {
    const sub = `twin-tabs-${person}`;
    const idToken = { iss: ISSUER, sub, email: `twin${person}@example.org`, email_verified: true, name: 'Twin Tabs' };
    const results = await Promise.all([
      signInWithOidc({ idToken, userInfo: {} }, options),
      signInWithOidc({ idToken, userInfo: {} }, options),
    ]);
    for (const result of results) assert.ok('sessionToken' in result, `refused: ${JSON.stringify(result)}`);
    const users = await lumen.prisma.user.findMany({ where: { oidcIssuer: ISSUER, oidcSubject: sub } });
    assert.equal(users.length, 1);
    assert.equal(await lumen.prisma.session.count({ where: { userId: users[0].id } }), 2);
  }
});

test("the provider's display name loses control and bidirectional characters, never the sign-in", async () => {
  const idToken = {
    iss: ISSUER,
    sub: 'trojan',
    email: 'trojan@example.org',
    email_verified: true,
    name: 'Mallory\u202E\u0007 gpj.exe\u2066',
  };
  const result = await signInWithOidc({ idToken, userInfo: {} }, options);
  assert.ok('sessionToken' in result);
  const user = await lumen.prisma.user.findFirstOrThrow({ where: { oidcSubject: 'trojan' } });
  assert.equal(user.name, 'Mallory gpj.exe');
  const blank = await signInWithOidc(
    { idToken: { ...idToken, sub: 'blank', email: 'blank@example.org', name: '\u202E\u202C' }, userInfo: {} },
    options,
  );
  assert.ok('sessionToken' in blank);
  assert.equal((await lumen.prisma.user.findFirstOrThrow({ where: { oidcSubject: 'blank' } })).name, 'blank');
});

test('an unbound user is bound again by the next verified sign-in, under its new identity', async () => {
  const first = { iss: ISSUER, sub: 'old-account', email: 'moved@example.org', email_verified: true, name: 'Moved' };
  assert.ok('sessionToken' in (await signInWithOidc({ idToken: first, userInfo: {} }, options)));
  const replaced = { ...first, sub: 'new-account' };
  assert.deepEqual(await signInWithOidc({ idToken: replaced, userInfo: {} }, options), { refused: 'taken' });
  const user = await lumen.prisma.user.findFirstOrThrow({ where: { email: 'moved@example.org' } });
  await unbindOidcIdentity(null, user.id);
  await assert.rejects(unbindOidcIdentity(null, user.id), /is not linked/);
  assert.ok('sessionToken' in (await signInWithOidc({ idToken: replaced, userInfo: {} }, options)));
  const now = await lumen.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
  assert.deepEqual([now.oidcIssuer, now.oidcSubject], [ISSUER, 'new-account']);
  assert.equal(await lumen.prisma.auditEntry.count({ where: { action: 'user.unbindOidc', targetId: user.id } }), 1);
});
