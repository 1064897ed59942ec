// /v1 works on a small request/answer pair of its own rather than on the Fetch API's
// Request and Response: the server feeds it straight from node:http (v1/nodeRoute.ts),
// skipping the adapters that cost /v1 a good part of its time, and tests and the
// GraphQL server's fetch entry point feed it a Request (v1/fetchRoute.ts).

export interface V1Request {
  method: string;
  /** The path, without the query string. */
  path: string;
  /** A request header (names in lower case); null when absent. */
  header(name: string): string | null;
  /** The body as it arrives, chunk by chunk; null when there is none. */
  body(): AsyncIterable<Uint8Array> | null;
  /** Aborted when the caller goes away before the answer is complete. */
  signal: AbortSignal;
  /** The model the request turned out to be for (set once known), for the metrics. */
  model?: string;
}

export type V1Answer =
  | { status: number; headers?: Record<string, string>; json: unknown }
  | { status: number; headers: Record<string, string>; stream: ReadableStream<Uint8Array> };

export const json = (value: unknown, status = 200, headers?: Record<string, string>): V1Answer => ({ status, headers, json: value });
