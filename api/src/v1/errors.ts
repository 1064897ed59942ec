// OpenAI's error envelope, so that SDKs raise their usual exceptions:
// {"error": {"message", "type", "code", "param"}}.
export class V1Error extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'V1Error';
  }
}

export const envelope = (e: { message: string; type: string; code: string; param?: string | null }) => ({
  error: { message: e.message, type: e.type, code: e.code, param: e.param ?? null },
});

export function errorResponse(error: V1Error): Response {
  return Response.json(envelope(error), { status: error.status });
}

export const badRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new V1Error(400, 'invalid_request_error', code, message, param);
