// What the Dashboard and history tests set up: sessions saved through the real Add sessions form
// at a given instant (past ones with the clock turned back while saving), and the rows that running
// a session leaves (meetings, attendance, feedback, ratings), written directly: other parts of
// TutorKit write them in the product.
import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import * as schema from '../../src/db/schema.js';
import type { Clock } from '../../src/lib/clock.js';
import type { TestApp } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import type { Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const learner = (sub: string, name: string) => ({ sub, name, email: `${sub}@example.edu`, roles: [ROLES.learner] });

export async function idOf(app: TestApp, sub: string): Promise<string> {
  return (await app.database.db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.sub, sub)))[0]!.id;
}

export interface SessionInput {
  name: string;
  start: Date;
  minutes?: number;
  tutorIds: string | string[];
  studentIds?: string[];
  invitedOnly?: boolean;
  tagIds?: string[];
  /** Daily sessions; one unless given. */
  count?: number;
}

/**
 * Saves a session through Add sessions (times in UTC) and returns its occurrences' ids, earliest
 * first. A session in the past is saved with the clock a day before its start, then the clock
 * goes back to where it was.
 */
export async function schedule(app: TestApp, who: Launched, clock: Clock & { set(to: Date): void }, input: SessionInput): Promise<string[]> {
  const now = clock.now();
  if (input.start <= now) clock.set(new Date(input.start.getTime() - DAY));
  const iso = input.start.toISOString();
  const count = input.count ?? 1;
  const fields: Record<string, string | string[]> = {
    name: input.name,
    courseId: who.courseId,
    startDate: iso.slice(0, 10),
    startTime: iso.slice(11, 16),
    zone: 'UTC',
    lengthValue: String(input.minutes ?? 60),
    lengthUnit: 'minutes',
    repeat: count === 1 ? 'none' : 'daily',
    interval: '1',
    endType: 'count',
    count: String(count),
    tutorIds: input.tutorIds,
    studentIds: input.studentIds ?? [],
    tagIds: input.tagIds ?? [],
    ...(input.invitedOnly ? { invitedOnly: 'on' } : {}),
  };
  try {
    const res = await htmx(app, who, `/c/${who.courseId}/sessions`, { method: 'POST', fields });
    expect(res.status, (await res.clone().text()).slice(0, 2000)).to.equal(303);
  } finally {
    clock.set(now);
  }
  const rows = await app.database.db
    .select({ id: schema.occurrences.id })
    .from(schema.occurrences)
    .innerJoin(schema.sessionSeries, eq(schema.sessionSeries.id, schema.occurrences.seriesId))
    .where(eq(schema.sessionSeries.name, input.name))
    .orderBy(asc(schema.occurrences.startsAt));
  return rows.map((r) => r.id);
}

/** The tutor pressed Start meeting at `startedAt` and, when given, it ended at `endedAt`. */
export async function meetingRan(app: TestApp, occurrenceId: string, courseId: string, m: { startedBy: string; startedAt: Date; endedAt?: Date; endedBy?: 'tutor' | 'auto' }) {
  await app.database.db.insert(schema.meetings).values({ occurrenceId, courseId, startedBy: m.startedBy, startedAt: m.startedAt, endedAt: m.endedAt ?? null, endedBy: m.endedAt ? (m.endedBy ?? 'tutor') : null });
  if (m.endedAt) await app.database.db.update(schema.occurrences).set({ status: 'ended' }).where(eq(schema.occurrences.id, occurrenceId));
}

/** Someone was in the room from `from` until `until` (still there: no `until`). */
export async function wasThere(app: TestApp, occurrenceId: string, courseId: string, userId: string, role: 'tutor' | 'student', from: Date, until?: Date) {
  await app.database.db.insert(schema.attendance).values({ occurrenceId, courseId, userId, role, firstJoinedAt: from, lastLeftAt: until ?? null, lastSeenAt: until ?? from });
}

export async function feedbackOn(
  app: TestApp,
  row: { occurrenceId: string; courseId: string; studentId: string; authorId: string; forStudent: string; private: string; finished: boolean; prerequisite?: 'adequate' | 'low'; mastery?: 'demonstrated' | 'not_demonstrated'; topicTagId?: string },
) {
  const { finished, ...rest } = row;
  await app.database.db.insert(schema.meetingFeedback).values({ ...rest, finishedAt: finished ? new Date('2027-01-01T00:00:00Z') : null });
}

export async function rated(app: TestApp, row: { occurrenceId: string; courseId: string; studentId: string; stars: number; comment?: string }) {
  await app.database.db.insert(schema.ratings).values({ ...row, comment: row.comment ?? '' });
}
