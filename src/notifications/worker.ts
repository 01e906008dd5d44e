// Delivers the outbox. Each tick claims due messages (a lock with a deadline, so a crashed worker's
// messages are taken again later), sends them one by one and records the outcome.
//
// Delivery is at least once, never "at most once": if the process dies after the SMTP server has
// accepted a message and before 'sent' is stored, the lock runs out and the message is sent again
// (the window is one SMTP reply plus one UPDATE). The copy carries the same Message-ID,
// `<outbox-id@tutorkit>`, so mail systems that deduplicate by Message-ID drop it and a person
// can tell it is the same message. A retry or a restart never sends a message stored as 'sent'.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { claimDue, markFailed, markRetry, markSent, type OutboxRow } from './outbox.js';
import { DeliveryError, type Transport } from './transport.js';

export interface MailWorkerOptions {
  db: Db;
  transport: Transport;
  clock: Clock;
  log: Logger;
  /** The From header, e.g. `TutorKit <no-reply@tutorkit.example.edu>`. */
  from: string;
  /** Milliseconds between ticks; without it nothing runs until tick() is called (tests). */
  intervalMs?: number;
  /** Runs first in every tick (queues due reminders). */
  beforeTick?: (now: Date) => Promise<void>;
}

export interface MailWorker {
  /** Waits for the tick in flight, then stops. */
  stop(): Promise<void>;
  /** One pass over the queue. */
  tick(): Promise<void>;
}

const BATCH = 20;
/** Longer than one batch can take, so a live worker never loses its messages to another. */
const LOCK_MS = 2 * 60_000;
export const MAX_ATTEMPTS = 8;
/** Wait before attempt 2, 3, ...; the last value repeats. */
const BACKOFF_MINUTES = [1, 5, 15, 60, 240];

export function backoffMs(attempts: number): number {
  return BACKOFF_MINUTES[Math.min(attempts, BACKOFF_MINUTES.length) - 1]! * 60_000;
}

export function startMailWorker(options: MailWorkerOptions): MailWorker {
  const { log } = options;
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const tick = (): Promise<void> => {
    // Ticks never overlap: a slow SMTP server makes the timer skip, not pile up.
    inFlight ??= runTick(options, () => stopped).finally(() => (inFlight = null));
    return inFlight;
  };
  const timer = options.intervalMs
    ? setInterval(() => {
        if (!stopped && !inFlight) tick().catch((err: unknown) => log.error({ err }, 'mail worker tick failed'));
      }, options.intervalMs)
    : null;
  timer?.unref();

  return {
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await inFlight?.catch(() => undefined);
      options.transport.close?.();
    },
  };
}

async function runTick(options: MailWorkerOptions, stopping: () => boolean): Promise<void> {
  const { db, clock, log } = options;
  // A failing hook (reminders) must not hold back the mail already queued.
  await options.beforeTick?.(clock.now()).catch((err: unknown) => log.error({ err }, 'mail worker: beforeTick failed'));
  // Batch after batch until the queue has nothing due: invitations to a large course go out in
  // one tick, and each batch holds its lock only as long as it needs.
  while (!stopping()) {
    const now = clock.now();
    const claimed = await claimDue(db, now, new Date(now.getTime() + LOCK_MS), BATCH);
    for (const row of claimed) await deliver(options, row);
    if (claimed.length < BATCH) return;
  }
}

async function deliver(options: MailWorkerOptions, row: OutboxRow): Promise<void> {
  const { db, clock, log, transport } = options;
  let messageId: string | undefined;
  try {
    ({ messageId } = await transport.send({
      id: row.id,
      createdAt: row.createdAt,
      from: options.from,
      to: row.toAddress!,
      subject: row.subject,
      text: row.text,
      html: row.html,
      ics: row.ics,
    }));
  } catch (err) {
    await recordFailure(options, row, err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, true));
    return;
  }
  await markSent(db, row.id, clock.now());
  log.info({ outboxId: row.id, kind: row.kind, messageId }, 'email sent');
}

async function recordFailure(options: MailWorkerOptions, row: OutboxRow, failure: DeliveryError): Promise<void> {
  const { db, clock, log } = options;
  if (failure.temporary && row.attempts < MAX_ATTEMPTS) {
    const next = new Date(clock.now().getTime() + backoffMs(row.attempts));
    await markRetry(db, row.id, next, failure.message);
    log.warn({ outboxId: row.id, attempts: row.attempts, next, reason: failure.message }, 'email deferred');
  } else {
    await markFailed(db, row.id, failure.message);
    log.error({ outboxId: row.id, attempts: row.attempts, reason: failure.message }, 'email failed');
  }
}
