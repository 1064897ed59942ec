// One page load as the browser does it: both operations sent at once, the page
// ready when both are answered. Works against Lumen's /graphql and the plain server
// alike (same bodies, same headers); the answer must be 200 with the client in it (the
// page query's `client`, the keys query's `node`: the keys section asks for any owner).
import { pageLoadBodies } from './documents.ts';

async function one(url: string, token: string, body: string): Promise<string | null> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await response.text();
  if (!response.ok) return `${response.status} ${text.slice(0, 200)}`;
  // Parsed as a browser would; an answer with errors or without the client is a failure.
  const json = JSON.parse(text) as { data?: { client?: unknown; node?: unknown }; errors?: unknown };
  return json.errors || !(json.data?.client ?? json.data?.node) ? text.slice(0, 300) : null;
}

export function pageLoad(url: string, token: string, clientGlobalId: string): () => Promise<string | null> {
  const [page, keys] = pageLoadBodies(clientGlobalId);
  return async () => {
    const [a, b] = await Promise.all([one(url, token, page), one(url, token, keys)]);
    return a ?? b;
  };
}
