// The bus between instances on one PostgreSQL server: LISTEN on a connection of its own (a pooled
// connection cannot keep listening), NOTIFY through the same connection. The connection opens on
// first use; when it drops, it is opened again with a growing pause and every topic listened to
// again, and subscribers are told that messages may have been missed while it was down.
import pg from 'pg';
import { checkMessage, type LiveBus, type Subscriber } from './bus.js';

/** Pauses between attempts to reach the server, the last one repeated. */
const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];
/** How long a publish or subscribe waits for the connection before failing (the bus keeps trying). */
const READY_TIMEOUT_MS = 5000;

interface Topic {
  subscribers: Set<Subscriber>;
  /** The LISTEN of this topic on the current connection. */
  listening: Promise<void>;
}

export class PostgresBus implements LiveBus {
  readonly kind = 'postgres';
  private readonly topics = new Map<string, Topic>();
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private closed = false;
  /** The connection dropped while topics were listened to: their subscribers may have missed messages. */
  private gap = false;

  constructor(
    private readonly url: string,
    private readonly warn: (message: string, err?: unknown) => void,
    private readonly applicationName = 'tutorkit-live',
  ) {}

  async publish(topic: string, message: string): Promise<void> {
    checkMessage(topic, message);
    const client = await this.ready();
    await client.query('select pg_notify($1, $2)', [topic, message]);
  }

  async subscribe(topic: string, subscriber: Subscriber): Promise<() => Promise<void>> {
    checkMessage(topic);
    let entry = this.topics.get(topic);
    if (!entry) {
      const created: Topic = { subscribers: new Set(), listening: Promise.resolve() };
      created.listening = this.ready().then((client) => this.listen(client, topic));
      created.listening.catch(() => undefined);
      this.topics.set(topic, (entry = created));
    }
    entry.subscribers.add(subscriber);
    try {
      await entry.listening;
    } catch (err) {
      this.drop(topic, entry, subscriber);
      throw err;
    }
    return async () => this.drop(topic, entry, subscriber);
  }

  topicCount(): number {
    return this.topics.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private drop(topic: string, entry: Topic, subscriber: Subscriber): void {
    entry.subscribers.delete(subscriber);
    if (entry.subscribers.size > 0 || this.topics.get(topic) !== entry) return;
    this.topics.delete(topic);
    // Queued on the connection after any LISTEN of the topic, so the order holds.
    this.client?.query(`UNLISTEN ${this.client.escapeIdentifier(topic)}`).catch(() => undefined);
  }

  private async listen(client: pg.Client, topic: string): Promise<void> {
    await client.query(`LISTEN ${client.escapeIdentifier(topic)}`);
  }

  /** The listening connection, opened (or reopened) when needed. */
  private ready(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the live bus is closed'));
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connectUntilOpen();
      this.connecting.catch(() => undefined);
    }
    return withTimeout(this.connecting, READY_TIMEOUT_MS, 'the live connection to PostgreSQL is not available');
  }

  private async connectUntilOpen(): Promise<pg.Client> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new Error('the live bus is closed');
      try {
        return await this.open();
      } catch (err) {
        if (this.closed) throw err;
        this.warn(`live connection to PostgreSQL failed (attempt ${attempt + 1}); trying again`, err);
        await pause(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      }
    }
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: this.applicationName });
    // An error on an idle connection must not crash the process: it ends the connection, which reopens.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => this.deliver(n.channel, n.payload ?? ''));
    try {
      await client.connect();
      for (const topic of [...this.topics.keys()]) await this.listen(client, topic);
      if (this.closed) throw new Error('the live bus is closed');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    this.connecting = null;
    if (this.gap) this.announceGap();
    return client;
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.warn('live connection to PostgreSQL dropped; reconnecting', err);
    if (this.topics.size === 0) return;
    // Subscribers are waiting for messages: reconnect now rather than on the next publish.
    this.gap = true;
    this.ready().catch(() => undefined);
  }

  private announceGap(): void {
    this.gap = false;
    for (const entry of this.topics.values()) for (const subscriber of entry.subscribers) if (subscriber.onGap) setImmediate(subscriber.onGap);
  }

  private deliver(topic: string, message: string): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    for (const subscriber of [...entry.subscribers]) {
      try {
        subscriber.listener(message);
      } catch (err) {
        this.warn(`live listener on ${topic} failed`, err);
      }
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (err: unknown) => (clearTimeout(timer), reject(err)),
    );
  });
}
