// Server-sent events as OpenAI streams them: "data: <json>\n\n", ending with "data: [DONE]".
const encoder = new TextEncoder();

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Proxies such as nginx would otherwise hold chunks back.
  'x-accel-buffering': 'no',
};

export const sseData = (value: unknown) => encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
export const sseDone = () => encoder.encode('data: [DONE]\n\n');
