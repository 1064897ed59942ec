// Reads a GraphQL-over-SSE response (Yoga's built-in transport) event by event.
import type { GqlResult } from './lumen.ts';

/** `T` is the subscription's data (from its typed document); unknown when the test does not read it. */
export class SseReader<T = unknown> {
  private buffer = '';
  private decoder = new TextDecoder();
  private reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
  }

  /** The next `next` event's payload; null when the stream ends. */
  async next(): Promise<GqlResult<T> | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (data) return JSON.parse(data) as GqlResult<T>;
        if (/^event: complete/m.test(block)) return null;
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}
