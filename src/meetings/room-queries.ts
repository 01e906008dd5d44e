// The Warmup room's reads and writes: the occurrence as the room needs it, presence (attendance),
// the chat, and the meeting's start. The only Drizzle code of the room. Functions return flat rows.
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { attendance, chatMessages, meetings, occurrences, seriesInvitees, sessionSeries, users } from '../db/schema.js';

export type AttendeeRole = 'tutor' | 'student';

const starter = alias(users, 'starter');

/** The occurrence, its series' room settings, the viewer's invitation, their own Meeting URL, and the meeting if it started. */
export async function findRoom(db: Db, courseId: string, occurrenceId: string, userId: string) {
  const [row] = await db
    .select({
      occurrenceId: occurrences.id,
      courseId: occurrences.courseId,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      status: occurrences.status,
      seriesId: sessionSeries.id,
      name: sessionSeries.name,
      invitedOnly: sessionSeries.invitedOnly,
      sessionMeetingUrl: sessionSeries.meetingUrl,
      invitedAs: sql<AttendeeRole | null>`(select ${seriesInvitees.role} from ${seriesInvitees} where ${seriesInvitees.seriesId} = ${sessionSeries.id} and ${seriesInvitees.userId} = ${userId})`,
      ownMeetingUrl: sql<string | null>`(select ${users.meetingUrl} from ${users} where ${users.id} = ${userId})`,
      attended: sql<boolean>`exists (select 1 from ${attendance} where ${attendance.occurrenceId} = ${occurrences.id} and ${attendance.userId} = ${userId})`,
      startedAt: meetings.startedAt,
      endedAt: meetings.endedAt,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .where(and(eq(occurrences.courseId, courseId), eq(occurrences.id, occurrenceId)));
  return row;
}

export type RoomRow = NonNullable<Awaited<ReturnType<typeof findRoom>>>;

/** The meeting as everyone in the room sees it: when it started and ended, and the link it opens. */
export async function findMeeting(db: Db, occurrenceId: string) {
  const [row] = await db
    .select({
      status: occurrences.status,
      startsAt: occurrences.startsAt,
      endsAt: occurrences.endsAt,
      startedAt: meetings.startedAt,
      endedAt: meetings.endedAt,
      // The session's link, else the link of the tutor who started it (Edit settings).
      meetingUrl: sql<string | null>`coalesce(${sessionSeries.meetingUrl}, ${starter.meetingUrl})`,
    })
    .from(occurrences)
    .innerJoin(sessionSeries, eq(sessionSeries.id, occurrences.seriesId))
    .leftJoin(meetings, eq(meetings.occurrenceId, occurrences.id))
    .leftJoin(starter, eq(starter.id, meetings.startedBy))
    .where(eq(occurrences.id, occurrenceId));
  return row;
}

/** Records the start; false when the meeting had started already (nothing changes then). */
export async function insertMeeting(db: Db, meeting: { occurrenceId: string; courseId: string; startedBy: string; startedAt: Date }): Promise<boolean> {
  const rows = await db.insert(meetings).values(meeting).onConflictDoNothing().returning({ id: meetings.occurrenceId });
  return rows.length === 1;
}

// ---- Presence -------------------------------------------------------------------------------

/** The person is in the room: first join kept, no leave, seen now. */
export async function markPresent(db: Db, row: { occurrenceId: string; courseId: string; userId: string; role: AttendeeRole; at: Date }): Promise<void> {
  await db
    .insert(attendance)
    .values({ occurrenceId: row.occurrenceId, courseId: row.courseId, userId: row.userId, role: row.role, firstJoinedAt: row.at, lastSeenAt: row.at })
    .onConflictDoUpdate({ target: [attendance.occurrenceId, attendance.userId], set: { lastLeftAt: null, lastSeenAt: row.at } });
}

/** People recorded as gone whose page is in fact still open here: in the room again. Returns how many. */
export async function markPresentAgain(db: Db, occurrenceId: string, userIds: string[], at: Date): Promise<number> {
  if (userIds.length === 0) return 0;
  const rows = await db
    .update(attendance)
    .set({ lastLeftAt: null, lastSeenAt: at })
    .where(and(eq(attendance.occurrenceId, occurrenceId), inArray(attendance.userId, userIds), isNotNull(attendance.lastLeftAt)))
    .returning({ userId: attendance.userId });
  return rows.length;
}

export async function markLeft(db: Db, occurrenceId: string, userId: string, at: Date): Promise<void> {
  await db
    .update(attendance)
    .set({ lastLeftAt: at })
    .where(and(eq(attendance.occurrenceId, occurrenceId), eq(attendance.userId, userId), isNull(attendance.lastLeftAt)));
}

/** A sign of life of the pages open here. */
export async function markSeen(db: Db, occurrenceId: string, userIds: string[], at: Date): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .update(attendance)
    .set({ lastSeenAt: at })
    .where(and(eq(attendance.occurrenceId, occurrenceId), inArray(attendance.userId, userIds), isNull(attendance.lastLeftAt)));
}

/** People whose page went quiet (their instance stopped): left at their last sign of life. Returns how many. */
export async function markQuietLeft(db: Db, occurrenceId: string, seenBefore: Date): Promise<number> {
  const rows = await db
    .update(attendance)
    .set({ lastLeftAt: sql`${attendance.lastSeenAt}` })
    .where(and(eq(attendance.occurrenceId, occurrenceId), isNull(attendance.lastLeftAt), lt(attendance.lastSeenAt, seenBefore)))
    .returning({ userId: attendance.userId });
  return rows.length;
}

/** Who is in the room: tutors first, then by name. */
export async function listPresent(db: Db, occurrenceId: string, seenSince: Date) {
  return db
    .select({ userId: users.id, name: users.name, role: attendance.role })
    .from(attendance)
    .innerJoin(users, eq(users.id, attendance.userId))
    .where(and(eq(attendance.occurrenceId, occurrenceId), isNull(attendance.lastLeftAt), gte(attendance.lastSeenAt, seenSince)))
    .orderBy(desc(sql`${attendance.role} = 'tutor'`), asc(users.name), asc(users.id));
}

// ---- Chat -----------------------------------------------------------------------------------

export async function insertChatMessage(db: Db, message: { occurrenceId: string; courseId: string; authorId: string; authorRole: 'admin' | 'instructor' | 'tutor' | 'student'; body: string; sentAt: Date }): Promise<number> {
  const [row] = await db.insert(chatMessages).values(message).returning({ id: chatMessages.id });
  return row!.id;
}

const chatLine = {
  id: chatMessages.id,
  authorName: users.name,
  authorRole: chatMessages.authorRole,
  body: chatMessages.body,
  sentAt: chatMessages.sentAt,
};

export type ChatRow = { id: number; authorName: string; authorRole: 'admin' | 'instructor' | 'tutor' | 'student'; body: string; sentAt: Date };

/** Messages after `afterId` (or these ids), oldest first. */
export async function listChatAfter(db: Db, occurrenceId: string, afterId: number, ids?: number[]): Promise<ChatRow[]> {
  return db
    .select(chatLine)
    .from(chatMessages)
    .innerJoin(users, eq(users.id, chatMessages.authorId))
    .where(and(eq(chatMessages.occurrenceId, occurrenceId), gt(chatMessages.id, afterId), ids ? inArray(chatMessages.id, ids) : undefined))
    .orderBy(asc(chatMessages.id));
}

/** The latest `limit` messages, oldest first. */
export async function listLatestChat(db: Db, occurrenceId: string, limit: number): Promise<ChatRow[]> {
  const rows = await db
    .select(chatLine)
    .from(chatMessages)
    .innerJoin(users, eq(users.id, chatMessages.authorId))
    .where(eq(chatMessages.occurrenceId, occurrenceId))
    .orderBy(desc(chatMessages.id))
    .limit(limit);
  return rows.reverse();
}
