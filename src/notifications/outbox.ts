// The outbox: every email TutorKit sends is first a row here, written in the same transaction as
// the change it reports, and delivered later by the worker (worker.ts). The only notifications
// code that touches Drizzle for delivery; functions return flat rows.
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { courses, outbox, users } from '../db/schema.js';

/** The messages about a session; the outbox also carries Early Alerts (OutboxKind). */
export type MessageKind = 'invitation' | 'update' | 'cancellation' | 'reminder';
export type OutboxKind = (typeof outbox.$inferSelect)['kind'];
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const NO_EMAIL = 'no email on file';

export interface OutgoingMessage {
  /** Unique reason for the message, e.g. `update:${seriesId}:${sequence}:${userId}`. */
  dedupeKey: string;
  kind: OutboxKind;
  userId: string | null;
  /** Null: stored as 'skipped' with the reason "no email on file". */
  to: string | null;
  subject: string;
  text: string;
  html: string;
  /** Full VCALENDAR text, attached as invite.ics. */
  ics?: string | null;
  courseId?: string | null;
  seriesId?: string | null;
  occurrenceId?: string | null;
}

export type OutboxRow = typeof outbox.$inferSelect;

/** Keeps one INSERT's bind parameters well under PostgreSQL's 65,535 (13 columns a row). */
const CHUNK = 500;

/** Queues messages inside the caller's transaction; a dedupeKey already queued is ignored. Returns how many were new. */
export async function enqueue(db: Db, messages: OutgoingMessage[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < messages.length; i += CHUNK) {
    const rows = messages.slice(i, i + CHUNK).map(toRow);
    const inserted = await db.insert(outbox).values(rows).onConflictDoNothing({ target: outbox.dedupeKey }).returning({ id: outbox.id });
    added += inserted.length;
  }
  return added;
}

function toRow(m: OutgoingMessage): typeof outbox.$inferInsert {
  const to = m.to?.trim() || null;
  return {
    dedupeKey: m.dedupeKey,
    kind: m.kind,
    userId: m.userId,
    toAddress: to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    ics: m.ics ?? null,
    courseId: m.courseId ?? null,
    seriesId: m.seriesId ?? null,
    occurrenceId: m.occurrenceId ?? null,
    ...(to ? {} : { status: 'skipped' as const, lastError: NO_EMAIL }),
  };
}

export interface DeliveryRow {
  id: string;
  createdAt: Date;
  kind: OutboxKind;
  to: string | null;
  subject: string;
  status: MessageStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}

/**
 * One platform's delivery log, newest first: messages to its people, or about its courses. A
 * site administrator of one LMS never reads another's addresses and subjects.
 */
export async function listDeliveries(db: Db, options: { platformId: string; limit: number; status?: MessageStatus }): Promise<DeliveryRow[]> {
  const ofPlatform = sql`coalesce(
    (select u.platform_id from ${users} u where u.id = ${outbox.userId}),
    (select c.platform_id from ${courses} c where c.id = ${outbox.courseId})) = ${options.platformId}`;
  return db
    .select({
      id: outbox.id,
      createdAt: outbox.createdAt,
      kind: outbox.kind,
      to: outbox.toAddress,
      subject: outbox.subject,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      sentAt: outbox.sentAt,
    })
    .from(outbox)
    .where(and(ofPlatform, options.status ? eq(outbox.status, options.status) : undefined))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(options.limit);
}

/**
 * Takes up to `limit` due messages for one worker until `lockedUntil`, counting the attempt.
 * SKIP LOCKED lets several instances share the queue; a 'sending' row whose lock has run out
 * belongs to a worker that died and is taken again. A message never tried (attempts = 0) is due
 * at once, whatever the clock says: next_attempt_at defaults to the database's now().
 */
export async function claimDue(db: Db, now: Date, lockedUntil: Date, limit: number): Promise<OutboxRow[]> {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        inArray(outbox.status, ['queued', 'sending']),
        or(eq(outbox.attempts, 0), sql`${outbox.nextAttemptAt} <= ${now}`),
        or(isNull(outbox.lockedUntil), lt(outbox.lockedUntil, now)),
      ),
    )
    .orderBy(outbox.nextAttemptAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(outbox)
    .set({ status: 'sending', lockedUntil, attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, due))
    .returning();
}

/** Stores the outcome of one attempt; only the worker holding the row's lock calls these. */
export async function markSent(db: Db, id: string, at: Date): Promise<void> {
  await db.update(outbox).set({ status: 'sent', sentAt: at, lockedUntil: null, lastError: null }).where(eq(outbox.id, id));
}

export async function markRetry(db: Db, id: string, nextAttemptAt: Date, reason: string): Promise<void> {
  await db.update(outbox).set({ status: 'queued', nextAttemptAt, lockedUntil: null, lastError: reason }).where(eq(outbox.id, id));
}

export async function markFailed(db: Db, id: string, reason: string): Promise<void> {
  await db.update(outbox).set({ status: 'failed', lockedUntil: null, lastError: reason }).where(eq(outbox.id, id));
}
