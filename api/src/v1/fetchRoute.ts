// /v1 behind a fetch-style entry point: what the GraphQL server's routes (http/routes.ts)
// and the tests (app.fetch) call. The server itself answers /v1 from node:http (nodeRoute.ts).
import { answerV1 } from './handler.ts';
import type { V1Request } from './exchange.ts';

export async function handleV1(request: Request, url: URL): Promise<Response> {
  const v1: V1Request = {
    method: request.method,
    path: url.pathname,
    header: (name) => request.headers.get(name),
    body: () => request.body,
    signal: request.signal,
  };
  const answer = await answerV1(v1);
  if ('stream' in answer) return new Response(answer.stream, { status: answer.status, headers: answer.headers });
  return Response.json(answer.json, { status: answer.status, headers: answer.headers });
}
