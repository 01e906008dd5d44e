// The bus of a single process (embedded PGlite): subscribers in a map. Delivery is asynchronous,
// as NOTIFY's is, so code written against it behaves the same on a server.
import { checkMessage, type LiveBus, type Subscriber } from './bus.js';

export class MemoryBus implements LiveBus {
  readonly kind = 'memory';
  private readonly topics = new Map<string, Set<Subscriber>>();
  private closed = false;

  constructor(private readonly warn: (message: string, err?: unknown) => void) {}

  async publish(topic: string, message: string): Promise<void> {
    if (this.closed) throw new Error('the live bus is closed');
    checkMessage(topic, message);
    const subscribers = this.topics.get(topic);
    if (!subscribers) return;
    for (const subscriber of [...subscribers]) {
      setImmediate(() => {
        try {
          subscriber.listener(message);
        } catch (err) {
          this.warn(`live listener on ${topic} failed`, err);
        }
      });
    }
  }

  async subscribe(topic: string, subscriber: Subscriber): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('the live bus is closed');
    checkMessage(topic);
    let subscribers = this.topics.get(topic);
    if (!subscribers) this.topics.set(topic, (subscribers = new Set()));
    subscribers.add(subscriber);
    return async () => {
      subscribers.delete(subscriber);
      if (subscribers.size === 0 && this.topics.get(topic) === subscribers) this.topics.delete(topic);
    };
  }

  topicCount(): number {
    return this.topics.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
  }
}
