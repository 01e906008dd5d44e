// Server-Sent Events responses: the headers, the `retry:` hint, a heartbeat comment that keeps
// proxies from closing a quiet stream (and lets the browser notice a dead one), and clean-up when
// either side closes. One timer beats for every open stream.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface EventStreamOptions {
  /** How long a browser waits before reconnecting after the stream drops (the `retry:` field). */
  retryMs?: number;
  /** A comment line this often on every open stream. */
  heartbeatMs?: number;
  /** A reader this far behind (bytes queued for it) is closed; it reconnects and reads a fresh snapshot. */
  maxQueuedBytes?: number;
}

export interface EventStream {
  /** Sends one event; `data` may span lines. Nothing happens once the stream is closed. */
  send(event: string, data: string, id?: string | number): void;
  /** Ends the stream from this side. */
  end(): void;
  readonly closed: boolean;
  /** Runs once when the stream closes, whichever side closed it. */
  onClose(fn: () => void): void;
}

const DEFAULTS: Required<EventStreamOptions> = { retryMs: 2000, heartbeatMs: 15_000, maxQueuedBytes: 1_048_576 };

export class EventStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly options: Required<EventStreamOptions>;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: EventStreamOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Answers the request with an event stream. */
  open(req: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): EventStream {
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold events back in their buffer.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${this.options.retryMs}\n\n`);
    const stream = new OpenStream(res, this.options.maxQueuedBytes, () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopBeat();
    });
    this.streams.add(stream);
    this.startBeat();
    // The reader may have gone while the stream was being prepared: its close event is past.
    if (req.socket.destroyed || res.destroyed) stream.end();
    return stream;
  }

  /** Streams open now. */
  get count(): number {
    return this.streams.size;
  }

  /** Ends every stream and the heartbeat (shutdown). */
  stop(): void {
    for (const stream of [...this.streams]) stream.end();
    this.stopBeat();
  }

  private startBeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const stream of this.streams) stream.write(': heartbeat\n\n');
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  private stopBeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

class OpenStream implements EventStream {
  closed = false;
  private readonly closers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly maxQueuedBytes: number,
    unregister: () => void,
  ) {
    this.closers.push(unregister);
    res.once('close', () => this.finish());
  }

  send(event: string, data: string, id?: string | number): void {
    const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
    this.write(`event: ${event.replace(/[\r\n]/g, '')}\n${id === undefined ? '' : `id: ${String(id).replace(/[\r\n]/g, '')}\n`}${lines}\n`);
  }

  write(text: string): void {
    if (this.closed) return;
    if (this.res.writableLength > this.maxQueuedBytes) return this.end();
    this.res.write(text);
  }

  end(): void {
    if (!this.closed) this.res.end();
    this.finish();
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closers.push(fn);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closers.splice(0)) fn();
  }
}
