// A subscription lasts only as long as its viewer's access: removed as a manager,
// deactivated, demoted, signed out, or with a revoked or expired token, the viewer's
// clientUsage and viewerUsage subscriptions end with an error, over SSE and over
// graphql-ws, and no event of the client reaches them afterwards.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createAccessToken, createLoginLink } from '../src/domain/auth.ts';
import { signInWithOidc } from '../src/domain/oidcSignIn.ts';
import { subscriberCount } from '../src/events/bus.ts';
import { attachWebSocket } from '../src/http/websocket.ts';
import { yoga } from '../src/yoga.ts';
import type { GraphQLFormattedError, FormattedExecutionResult } from 'graphql';
import type { TypedDocumentString } from './gql/graphql.ts';
import { graphql } from './gql/index.ts';
import { assertOk } from './support/assertions.ts';
import { startLumen, type ResultOf, type TestLumen, type TestUser } from './support/lumen.ts';
import { SseReader } from './support/sse.ts';

let lumen: TestLumen;
let admin: TestUser;
before(async () => {
  lumen = await startLumen();
  admin = await lumen.user({ admin: true });
});
after(() => lumen.close());

const CLIENT_USAGE = graphql(`
  subscription SubscriptionAccess_ClientUsage($id: ID!) {
    clientUsage(clientId: $id) {
      change
      client {
        name
      }
      apiKey {
        name
      }
      coinPool {
        balance
      }
    }
  }
`);
const VIEWER_USAGE = graphql(`
  subscription SubscriptionAccess_ViewerUsage {
    viewerUsage {
      change
      user {
        email
      }
      coinPool {
        balance
      }
    }
  }
`);

type Credentials = { token: string } | { cookie: string };
type Owner = { clientId: string | null; userId: string | null };

function authHeaders(as: Credentials): Record<string, string> {
  return 'token' in as ? { authorization: `Bearer ${as.token}` } : { cookie: as.cookie, 'x-lumen-csrf': '1' };
}

/** Opens a subscription over SSE and waits (bounded) until it listens on the bus. */
async function subscribeSse<T, V>(query: TypedDocumentString<T, V>, variables: V, as: Credentials, owner: Owner): Promise<SseReader<T>> {
  const before = subscriberCount(owner);
  const response = await lumen.fetch('/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...authHeaders(as) },
    body: JSON.stringify({ query, variables }),
  });
  const events = new SseReader<T>(response);
  await listening(owner, before + 1);
  return events;
}

/** Waits (bounded) until this many subscriptions listen to the owner's events. */
async function listening(owner: Owner, count: number): Promise<void> {
  for (let i = 0; i < 300 && subscriberCount(owner) !== count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(subscriberCount(owner), count, count > 0 ? 'the subscription never started listening' : 'the subscription still listens');
}

const ofClient = (clientId: string): Owner => ({ clientId, userId: null });
const ofUser = (userId: string): Owner => ({ clientId: null, userId });

async function signIn(user: TestUser): Promise<string> {
  const link = new URL((await createLoginLink(user.email, 'http://lumen.test')).url);
  const response = await lumen.fetch(`${link.pathname}${link.search}`, { redirect: 'manual' });
  return response.headers.get('set-cookie')!.split(';')[0];
}

async function managedClient(manager: TestUser, name: string) {
  const client = await lumen.client(admin, name);
  await lumen.prisma.clientManager.create({ data: { clientId: client.id, userId: manager.id } });
  return client;
}

/** An event on the client, made by the admin: a new key. */
async function keyCreated(client: { globalId: string }, name: string): Promise<void> {
  assertOk(
    await lumen.gql(
      'mutation($c: ID!, $n: String!) { createApiKey(input: { clientId: $c, name: $n }) { secret } }',
      { c: client.globalId, n: name },
      admin,
    ),
  );
}

/** An event on the user's personal account, made by the admin (also for a deactivated user): their pool changed. */
async function poolChanged(user: TestUser, balance: string): Promise<void> {
  assertOk(
    await lumen.gql(
      'mutation($u: ID!, $b: Coins!) { setUserCoinPool(input: { userId: $u, state: LIMITED, capacity: "1000", balance: $b }) { user { id } } }',
      { u: user.globalId, b: balance },
      admin,
    ),
  );
}

async function removeManager(client: { globalId: string }, manager: TestUser): Promise<void> {
  assertOk(
    await lumen.gql(
      'mutation($c: ID!, $u: ID!) { removeClientManager(input: { clientId: $c, userId: $u }) { client { id } } }',
      { c: client.globalId, u: manager.globalId },
      admin,
    ),
  );
}

async function deactivate(user: TestUser): Promise<void> {
  assertOk(
    await lumen.gql(
      'mutation($u: ID!) { setUserActive(input: { userId: $u, active: false }) { user { id } } }',
      { u: user.globalId },
      admin,
    ),
  );
}

/** The next message is the error that ends the stream (not an event), then the stream completes and stops listening. */
async function assertEndsWith(events: SseReader, code: 'FORBIDDEN' | 'UNAUTHENTICATED', owner: Owner): Promise<void> {
  const message = await events.next();
  assert.ok(message?.errors, `expected ${code}, got ${JSON.stringify(message)}`);
  assert.equal(message.data ?? null, null);
  assert.equal(message.errors[0].extensions?.code, code, JSON.stringify(message.errors));
  assert.equal(await events.next(), null, 'the stream did not end');
  assert.equal(subscriberCount(owner), 0, 'the ended subscription still listens on the bus');
}

test('a manager removed from a client gets FORBIDDEN, and none of its later events', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Removed from');
  const events = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, manager, ofClient(client.id));
  try {
    await keyCreated(client, 'before');
    assert.equal((await events.next())?.data?.clientUsage.apiKey?.name, 'before');
    await removeManager(client, manager);
    // It ends on its own, without waiting for the client's next event.
    await listening(ofClient(client.id), 0);
    await keyCreated(client, 'after removal');
    await assertEndsWith(events, 'FORBIDDEN', ofClient(client.id));
  } finally {
    await events.close();
  }
});

test('a deactivated manager gets UNAUTHENTICATED, though their admin-API token is not revoked', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Deactivated manager');
  const events = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, manager, ofClient(client.id));
  try {
    await deactivate(manager);
    await keyCreated(client, 'after deactivation');
    await assertEndsWith(events, 'UNAUTHENTICATED', ofClient(client.id));
  } finally {
    await events.close();
  }
});

test('signing out ends the subscriptions opened with that session (clientUsage and viewerUsage)', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Signed out');
  const cookie = await signIn(manager);
  const clientEvents = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, { cookie }, ofClient(client.id));
  const ownEvents = await subscribeSse(VIEWER_USAGE, {}, { cookie }, ofUser(manager.id));
  try {
    await poolChanged(manager, '1');
    assert.equal((await ownEvents.next())?.data?.viewerUsage.coinPool.balance, '1');
    const out = await lumen.fetch('/auth/logout', { method: 'POST', headers: { cookie } });
    assert.equal(out.status, 204);
    await keyCreated(client, 'after sign-out');
    await poolChanged(manager, '2');
    await assertEndsWith(clientEvents, 'UNAUTHENTICATED', ofClient(client.id));
    await assertEndsWith(ownEvents, 'UNAUTHENTICATED', ofUser(manager.id));
  } finally {
    await clientEvents.close();
    await ownEvents.close();
  }
});

test('a session revoked from another device ends its subscription; the other session keeps its own', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Revoked session');
  const laptop = await signIn(manager);
  const phone = await signIn(manager);
  const onLaptop = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, { cookie: laptop }, ofClient(client.id));
  const onPhone = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, { cookie: phone }, ofClient(client.id));
  try {
    const { viewer } = assertOk(
      await lumen.gql(
        graphql(`
          query SubscriptionAccess_Sessions {
            viewer {
              sessions {
                id
                current
              }
            }
          }
        `),
        {},
        { cookie: laptop },
      ),
    );
    const laptopSession = viewer.sessions.find((s) => s.current)?.id;
    assertOk(
      await lumen.gql('mutation($id: ID!) { revokeSession(input: { id: $id }) { __typename } }', { id: laptopSession }, { cookie: phone }),
    );
    await keyCreated(client, 'after revocation');
    const message = await onLaptop.next();
    assert.equal(message?.errors?.[0].extensions?.code, 'UNAUTHENTICATED', JSON.stringify(message));
    assert.equal(await onLaptop.next(), null);
    assert.equal((await onPhone.next())?.data?.clientUsage.apiKey?.name, 'after revocation');
  } finally {
    await onLaptop.close();
    await onPhone.close();
  }
});

test('viewerUsage ends with UNAUTHENTICATED when the user is deactivated', async () => {
  const user = await lumen.user();
  const events = await subscribeSse(VIEWER_USAGE, {}, user, ofUser(user.id));
  try {
    await poolChanged(user, '3');
    assert.equal((await events.next())?.data?.viewerUsage.user?.email, user.email);
    await deactivate(user);
    await poolChanged(user, '4');
    await assertEndsWith(events, 'UNAUTHENTICATED', ofUser(user.id));
  } finally {
    await events.close();
  }
});

test('an admin-API token revoked while subscribed ends the subscription (UNAUTHENTICATED)', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Revoked token');
  const events = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, manager, ofClient(client.id));
  try {
    const token = await lumen.prisma.accessToken.findFirstOrThrow({ where: { userId: manager.id } });
    assertOk(
      await lumen.gql(
        'mutation($id: ID!) { revokeAccessToken(input: { id: $id }) { __typename } }',
        { id: encodeGlobalID('AccessToken', token.id) },
        admin,
      ),
    );
    await keyCreated(client, 'after token revocation');
    await assertEndsWith(events, 'UNAUTHENTICATED', ofClient(client.id));
  } finally {
    await events.close();
  }
});

test('an admin-API token that expires while subscribed ends the subscription (UNAUTHENTICATED)', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Expiring token');
  // Long enough to open the subscription on a busy machine; the test waits for it to pass.
  const expiresAt = new Date(Date.now() + 4000);
  const { token } = await createAccessToken(null, manager.id, { name: 'short-lived', expiresAt });
  const events = await subscribeSse(CLIENT_USAGE, { id: client.globalId }, { token }, ofClient(client.id));
  try {
    await keyCreated(client, 'while valid');
    assert.equal((await events.next())?.data?.clientUsage.apiKey?.name, 'while valid');
    while (Date.now() <= expiresAt.getTime()) await new Promise((resolve) => setTimeout(resolve, 100));
    await keyCreated(client, 'after expiry');
    await assertEndsWith(events, 'UNAUTHENTICATED', ofClient(client.id));
  } finally {
    await events.close();
  }
});

test('an admin demoted (OIDC group) loses a client they do not manage, and keeps one they manage', async () => {
  const demoted = await lumen.user({ admin: true });
  const unmanaged = await lumen.client(admin, 'Not theirs');
  const managed = await managedClient(demoted, 'Theirs');
  const onUnmanaged = await subscribeSse(CLIENT_USAGE, { id: unmanaged.globalId }, demoted, ofClient(unmanaged.id));
  const onManaged = await subscribeSse(CLIENT_USAGE, { id: managed.globalId }, demoted, ofClient(managed.id));
  try {
    // Signing in through the identity provider without the admin group takes admin rights away.
    const signedIn = await signInWithOidc(
      {
        idToken: { iss: 'https://idp.example.org', sub: `sub-${demoted.id}`, email: demoted.email, email_verified: true, groups: [] },
        userInfo: {},
      },
      { adminGroup: 'lumen-admins', trustEmail: false, userAgent: null },
    );
    assert.ok(!('refused' in signedIn), JSON.stringify(signedIn));
    assert.equal((await lumen.prisma.user.findUniqueOrThrow({ where: { id: demoted.id } })).isAdmin, false);
    await keyCreated(unmanaged, 'after demotion');
    await keyCreated(managed, 'still theirs');
    await assertEndsWith(onUnmanaged, 'FORBIDDEN', ofClient(unmanaged.id));
    assert.equal((await onManaged.next())?.data?.clientUsage.apiKey?.name, 'still theirs');
  } finally {
    await onUnmanaged.close();
    await onManaged.close();
  }
});

test('an admin demoted with setUserAdmin loses a client they do not manage at once, and keeps one they manage', async () => {
  const demoted = await lumen.user({ admin: true });
  const unmanaged = await lumen.client(admin, 'Not theirs either');
  const managed = await managedClient(demoted, 'Theirs too');
  const onUnmanaged = await subscribeSse(CLIENT_USAGE, { id: unmanaged.globalId }, demoted, ofClient(unmanaged.id));
  const onManaged = await subscribeSse(CLIENT_USAGE, { id: managed.globalId }, demoted, ofClient(managed.id));
  try {
    await keyCreated(unmanaged, 'while admin');
    assert.equal((await onUnmanaged.next())?.data?.clientUsage.apiKey?.name, 'while admin');
    assertOk(
      await lumen.gql(
        'mutation($u: ID!) { setUserAdmin(input: { userId: $u, admin: false }) { user { isAdmin } } }',
        { u: demoted.globalId },
        admin,
      ),
    );
    // It ends on its own (the access-loss event), without waiting for the client's next event.
    await listening(ofClient(unmanaged.id), 0);
    await keyCreated(unmanaged, 'after demotion');
    await keyCreated(managed, 'still theirs');
    await assertEndsWith(onUnmanaged, 'FORBIDDEN', ofClient(unmanaged.id));
    assert.equal((await onManaged.next())?.data?.clientUsage.apiKey?.name, 'still theirs');
  } finally {
    await onUnmanaged.close();
    await onManaged.close();
  }
});

test("an admin ending another user's session ends the subscriptions opened with it", async () => {
  const user = await lumen.user();
  const cookie = await signIn(user);
  const events = await subscribeSse(VIEWER_USAGE, {}, { cookie }, ofUser(user.id));
  try {
    await poolChanged(user, '1');
    assert.equal((await events.next())?.data?.viewerUsage.coinPool.balance, '1');
    const sessions = assertOk(
      await lumen.gql('query($u: ID!) { node(id: $u) { ... on User { sessions { id } } } }', { u: user.globalId }, admin),
    ) as { node: { sessions: { id: string }[] } };
    assert.equal(sessions.node.sessions.length, 1);
    assertOk(
      await lumen.gql(
        'mutation($id: ID!) { revokeSession(input: { id: $id }) { revokedSessionId } }',
        { id: sessions.node.sessions[0].id },
        admin,
      ),
    );
    await listening(ofUser(user.id), 0);
    await poolChanged(user, '3');
    await assertEndsWith(events, 'UNAUTHENTICATED', ofUser(user.id));
  } finally {
    await events.close();
  }
});

/** A real HTTP server with graphql-ws, as server.ts starts it. */
async function withWebSocketServer(work: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer(yoga);
  const closeWebSocket = attachWebSocket(server, yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await work(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  } finally {
    await closeWebSocket();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('over graphql-ws too: a removed manager gets FORBIDDEN and no later event', async () => {
  const manager = await lumen.user();
  const client = await managedClient(manager, 'Over WebSocket');
  await withWebSocketServer(async (url) => {
    const ws = createWsClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${manager.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    // Every message, in order: results, then the error or completion.
    type Message = { result: FormattedExecutionResult<ResultOf<typeof CLIENT_USAGE>, unknown> } | { error: unknown } | 'complete';
    const received: Message[] = [];
    let wake: () => void = () => undefined;
    const arrived = () => new Promise<void>((resolve) => (wake = resolve));
    let next = arrived();
    const push = (message: Message) => {
      received.push(message);
      wake();
    };
    const dispose = ws.subscribe<ResultOf<typeof CLIENT_USAGE>>(
      { query: String(CLIENT_USAGE), variables: { id: client.globalId } },
      { next: (result) => push({ result }), error: (error) => push({ error }), complete: () => push('complete') },
    );
    const waitFor = async (count: number) => {
      while (received.length < count) {
        await next;
        next = arrived();
      }
    };
    try {
      await listening(ofClient(client.id), 1);
      await keyCreated(client, 'before');
      await waitFor(1);
      const first = received[0];
      assert.ok(typeof first === 'object' && 'result' in first, `expected a result, got ${JSON.stringify(first)}`);
      assert.equal(first.result.data?.clientUsage.apiKey?.name, 'before');
      await removeManager(client, manager);
      await keyCreated(client, 'after removal');
      await waitFor(2);
      // graphql-ws delivers the refusal as an error message, which ends the operation.
      const ended = received[1];
      assert.ok(
        typeof ended === 'object' && 'error' in ended && Array.isArray(ended.error),
        `expected FORBIDDEN, got ${JSON.stringify(ended)}`,
      );
      const errors = ended.error as GraphQLFormattedError[];
      assert.equal(errors[0].extensions?.code, 'FORBIDDEN', JSON.stringify(errors));
      assert.equal(subscriberCount(ofClient(client.id)), 0, 'the ended subscription still listens on the bus');
    } finally {
      dispose();
      await ws.dispose();
    }
  });
});
