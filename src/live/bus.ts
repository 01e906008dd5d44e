// Publish/subscribe between the TutorKit instances that share one database: the one small
// interface live features (the Warmup room) are written against. On the embedded database there is
// one process, so messages stay in memory; on a PostgreSQL server they travel through
// LISTEN/NOTIFY, so every instance behind a load balancer sees the same room. Past tens of
// instances this interface is where a broker (NATS, Redis) would plug in.
import { MemoryBus } from './memory-bus.js';
import { PostgresBus } from './postgres-bus.js';

export type Listener = (message: string) => void;

export interface Subscriber {
  /** Called with each message published on the topic, by this instance or another. */
  listener: Listener;
  /**
   * Called when messages may have been lost (the connection to PostgreSQL dropped and came back):
   * the subscriber reads again what it shows instead of waiting for the next message.
   */
  onGap?: () => void;
}

export interface LiveBus {
  readonly kind: 'memory' | 'postgres';
  /** Delivers `message` to every subscriber of `topic` in every instance, this one included. */
  publish(topic: string, message: string): Promise<void>;
  /** Resolves once messages on `topic` reach `subscriber`; the function it returns unsubscribes. */
  subscribe(topic: string, subscriber: Subscriber): Promise<() => Promise<void>>;
  /** Topics this instance listens to. */
  topicCount(): number;
  /** Stops listening for good; later publishes and subscriptions are refused. */
  close(): Promise<void>;
}

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. Messages are meant to be small
 * (a chat message travels as its id; each instance reads it once), so this bound is never close.
 */
export const MAX_MESSAGE_BYTES = 7900;
/** A channel name is an identifier: at most 63 bytes. */
const MAX_TOPIC_BYTES = 63;

export class LiveMessageError extends Error {}

/** Throws when a topic or message could not travel through NOTIFY (the memory bus checks the same, so tests on PGlite catch it). */
export function checkMessage(topic: string, message?: string): void {
  if (!topic || Buffer.byteLength(topic) > MAX_TOPIC_BYTES) throw new LiveMessageError(`live topic must be 1 to ${MAX_TOPIC_BYTES} bytes: ${topic.slice(0, 80)}`);
  if (message !== undefined && Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw new LiveMessageError(`live message on ${topic} is ${Buffer.byteLength(message)} bytes; at most ${MAX_MESSAGE_BYTES} travel (send an id instead)`);
  }
}

export interface BusOptions {
  /** postgres:// URL of the server every instance uses; absent: one process, in memory. */
  url?: string | null;
  /** Told of connection problems (the bus keeps trying). */
  warn?: (message: string, err?: unknown) => void;
  /** How the listening connection names itself to the server (pg_stat_activity). */
  applicationName?: string;
}

export function createBus(options: BusOptions = {}): LiveBus {
  const warn = options.warn ?? (() => undefined);
  return options.url ? new PostgresBus(options.url, warn, options.applicationName) : new MemoryBus(warn);
}
