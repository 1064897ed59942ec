// Rotating LUMEN_SECRET: with the old secret in LUMEN_SECRET_PREVIOUS, keys and
// tokens made before keep working and move to the new secret on first use;
// without it, they stop working (the hash no longer matches anything).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createApiKey } from '../src/domain/apiKeys.ts';
import { setServerSecret } from '../src/domain/secrets.ts';
import { assertErrorCode, assertOk } from './support/assertions.ts';
import { startLumen, type TestLumen, type TestUser } from './support/lumen.ts';
import { model, openai, pool, refusal } from './support/v1.ts';

const oldSecret = randomBytes(32).toString('base64url');
const newSecret = randomBytes(32).toString('base64url');
let lumen: TestLumen;
let admin: TestUser;

before(async () => {
  lumen = await startLumen({ LUMEN_SECRET: oldSecret });
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

test('keys and tokens survive a rotation when the old secret is kept as previous', async () => {
  const client = await lumen.client(admin);
  await pool(admin, client.id, { state: 'UNLIMITED' });
  const echo = await model(admin);
  const { apiKey, secret } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'before rotation' });

  setServerSecret(newSecret, [oldSecret]);
  try {
    const answer = await openai(secret).chat.completions.create({ model: echo.name, messages: [{ role: 'user', content: 'still here' }] });
    assert.equal(answer.choices[0].message.content, 'still here');
    const row = await lumen.prisma.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    assert.equal(row.hash, createHmac('sha256', newSecret).update(secret).digest('hex'), 'the stored hash moved to the new secret');
    assertOk(await lumen.gql('{ viewer { email } }', {}, admin));

    // Once the old secret is dropped, only what was used during the rotation still works.
    const { secret: unused } = await createApiKey(admin.viewer, { clientId: client.id }, { name: 'made before, used after' }).then(
      async (k) => {
        // simulate a key hashed under the old secret that nobody used during the rotation
        await lumen.prisma.apiKey.update({
          where: { id: k.apiKey.id },
          data: { hash: createHmac('sha256', oldSecret).update(k.secret).digest('hex') },
        });
        return k;
      },
    );
    setServerSecret(newSecret);
    assert.equal(
      (await openai(secret).chat.completions.create({ model: echo.name, messages: [{ role: 'user', content: 'moved' }] })).choices[0]
        .message.content,
      'moved',
    );
    const refused = await refusal(openai(unused).chat.completions.create({ model: echo.name, messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(refused.status, 401);
    assertOk(await lumen.gql('{ viewer { email } }', {}, admin));
  } finally {
    setServerSecret(oldSecret);
  }
});

test('without LUMEN_SECRET_PREVIOUS a rotation invalidates old tokens', async () => {
  const user = await lumen.user();
  setServerSecret(newSecret);
  try {
    assertErrorCode(await lumen.gql('{ viewer { email } }', {}, user), 'UNAUTHENTICATED');
  } finally {
    setServerSecret(oldSecret);
  }
});
