// Live usage subscriptions held open for the whole soak, as dashboards and open
// client pages do: GraphQL over SSE (Yoga's transport) and one graphql-ws socket.
// Each counts the METERED events it hears and keeps the last figures it was sent.
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

export const CLIENT_USAGE = `subscription Soak($id: ID!) {
  clientUsage(clientId: $id) { change usage { requests coinsSpent } coinPool { state balance } apiKey { name requests } }
}`;

interface UsageEvent {
  change: string;
  usage: { requests: number; coinsSpent: string };
}

export class Subscription {
  metered = 0;
  events = 0;
  last: UsageEvent | null = null;
  error: string | null = null;
  ended = false;

  constructor(
    readonly clientLabel: string,
    readonly transport: 'sse' | 'graphql-ws',
  ) {}

  hear(payload: { data?: { clientUsage?: UsageEvent }; errors?: unknown }) {
    if (payload.errors || !payload.data?.clientUsage) {
      this.error ??= JSON.stringify(payload).slice(0, 300);
      return;
    }
    this.events++;
    if (payload.data.clientUsage.change === 'METERED') this.metered++;
    this.last = payload.data.clientUsage;
  }
}

/** Opens an SSE subscription; resolves once the server has answered (and so subscribed). */
export async function openSse(
  baseUrl: string,
  token: string,
  clientLabel: string,
  clientGlobalId: string,
  signal: AbortSignal,
): Promise<Subscription> {
  const sub = new Subscription(clientLabel, 'sse');
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: CLIENT_USAGE, variables: { id: clientGlobalId } }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`subscription refused: ${response.status} ${await response.text()}`);
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('\n');
          if (/^event: next/m.test(block) && data) sub.hear(JSON.parse(data));
        }
      }
    } catch (error) {
      if (!signal.aborted) sub.error ??= String(error);
    }
    sub.ended = true;
  })();
  return sub;
}

/** Opens a graphql-ws subscription; resolves once the socket is acknowledged. */
export async function openWs(
  baseUrl: string,
  token: string,
  clientLabel: string,
  clientGlobalId: string,
): Promise<{ sub: Subscription; close: () => Promise<void> }> {
  const sub = new Subscription(clientLabel, 'graphql-ws');
  const client = createWsClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  await new Promise<void>((resolve, reject) => {
    client.on('connected', () => resolve());
    client.on('error', reject);
  });
  const unsubscribe = client.subscribe(
    { query: CLIENT_USAGE, variables: { id: clientGlobalId } },
    {
      next: (payload) => sub.hear(payload as never),
      error: (error) => (sub.error ??= JSON.stringify(error).slice(0, 300)),
      complete: () => (sub.ended = true),
    },
  );
  return {
    sub,
    close: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
}
