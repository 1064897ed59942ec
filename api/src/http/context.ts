// The GraphQL context of a request (HTTP or WebSocket): who is asking, and the limit
// on how many keys and tokens they may create.
//
// That limit is an edge rule, applied here, not a domain one: it guards the network
// against a stolen session or token minting keys, and shares the edge's limiter
// (memory, or Redis across instances) with sign-in. The domain also creates keys and
// tokens for the CLI and the demo seeder, which no limit should slow. The schema only
// says where a creation happens (ctx.countKeyCreation), so it imports nothing from http/.
import { accessTokenHashOf, sessionHashOf } from '../domain/auth.ts';
import { createContext, type Context } from '../schema/context.ts';
import { consume } from './rateLimits.ts';
import { accessTokenOf, sessionTokenOf, viewerOf } from './viewer.ts';

export async function contextOf(request: Request): Promise<Context> {
  const session = sessionTokenOf(request);
  const token = accessTokenOf(request);
  const viewer = await viewerOf(request);
  return createContext(
    viewer,
    session ? sessionHashOf(session) : null,
    token ? accessTokenHashOf(token) : null,
    // Per person: a key for a client counts against whoever creates it.
    async () => {
      if (viewer) await consume('keyCreation', viewer.id);
    },
  );
}
