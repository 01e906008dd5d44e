// Reads a Server-Sent Events stream as the page's live.js does: fetch() with the token in the
// Authorization header, the body parsed into events as they arrive. Tests wait for the event they
// expect (with a deadline) rather than for a time.
import type { TestApp } from './app.js';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  /** The `retry:` hint the server sent. */
  retryMs: number | null = null;
  /** Heartbeat comments seen. */
  comments = 0;
  ended = false;
  private cursor = 0;
  private wake: (() => void)[] = [];

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {}

  /**
   * Opens the stream at `path` as `who`. Resolves when the answer's headers arrived: `reader` when
   * it is an event stream, otherwise the refusal's status and body.
   */
  static async open(app: Pick<TestApp, 'baseUrl'>, who: { token: string } | null, path: string): Promise<{ status: number; reader: SseReader | null; body: string }> {
    const controller = new AbortController();
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'HX-Request': 'true' };
    if (who) headers.Authorization = `Bearer ${who.token}`;
    const response = await fetch(new URL(path, app.baseUrl), { headers, signal: controller.signal });
    if (!response.headers.get('content-type')?.startsWith('text/event-stream') || !response.body) {
      return { status: response.status, reader: null, body: await response.text() };
    }
    const reader = new SseReader(response, controller);
    void reader.pump(response.body);
    return { status: response.status, reader, body: '' };
  }

  /** Opens a stream that must open. */
  static async expectOpen(app: Pick<TestApp, 'baseUrl'>, who: { token: string } | null, path: string): Promise<SseReader> {
    const opened = await SseReader.open(app, who, path);
    if (!opened.reader) throw new Error(`expected an event stream from ${path}, got ${opened.status}: ${opened.body.slice(0, 300)}`);
    return opened.reader;
  }

  /** From now on, waitFor() looks only at events that arrive after this call. */
  mark(): void {
    this.cursor = this.events.length;
  }

  /** The first event after the mark that matches, waiting up to `withinMs` for it; the mark moves past it. */
  async waitFor(matches: (e: SseEvent) => boolean, withinMs = 3000, what = 'the expected event'): Promise<SseEvent> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const index = this.events.findIndex((e, i) => i >= this.cursor && matches(e));
      if (index !== -1) {
        this.cursor = index + 1;
        return this.events[index]!;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ended) {
        throw new Error(`${what} did not arrive within ${withinMs} ms${this.ended ? ' (the stream ended)' : ''}; received: ${JSON.stringify(this.events.slice(this.cursor).map((e) => `${e.event}: ${e.data.slice(0, 120)}`))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Waits until the server ends the stream. */
  async waitForEnd(withinMs = 3000): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream did not end within ${withinMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.wake.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Closes the stream from this side, as a closed tab does. */
  close(): void {
    this.controller.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let event: { type: string; data: string[]; id?: string } = { type: '', data: [] };
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop()!;
        for (const line of lines) {
          if (line === '') {
            if (event.data.length) this.events.push({ event: event.type || 'message', data: event.data.join('\n'), id: event.id });
            event = { type: '', data: [] };
            continue;
          }
          if (line.startsWith(':')) {
            this.comments++;
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event.type = value;
          else if (field === 'data') event.data.push(value);
          else if (field === 'id') event.id = value;
          else if (field === 'retry') this.retryMs = Number(value);
        }
        this.notify();
      }
    } catch {
      // aborted by close(), or the server went away
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.wake.splice(0)) wake();
  }
}
