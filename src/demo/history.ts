// Stores the demo course's history (history-plan.ts) once: on the first start with the demo on.
// Sessions are written with the scheduling module's own queries and tutor bookings, so they are
// ordinary sessions afterwards (editable, cancellable, never double-booking a tutor). The
// scheduling hooks are not called: a history is not news, and nobody gets invitations for it.
import type { Db } from '../db/client.js';
import { syncBookings } from '../scheduling/bookings.js';
import * as sessions from '../scheduling/queries.js';
import { planHistory, type PlannedOccurrence, type PlannedSeries } from './history-plan.js';
import { TOPICS, type Topic } from './history-texts.js';
import { DEMO_PEOPLE } from './people.js';
import * as q from './queries.js';

/** Set once the history is stored (or was found unnecessary): later starts leave the course alone. */
export const HISTORY_SETTING = 'demo_history';

interface Ids {
  courseId: string;
  user: (sub: string) => string;
  topic: (name: Topic) => string;
}

/**
 * Stores the history unless an earlier start did. The marker and the history commit together, so
 * a failed start leaves neither; a second instance starting at the same time waits on the marker
 * and then finds it taken. Returns how many planned sessions were stored and skipped (both 0
 * when an earlier start did the work).
 */
export async function seedDemoHistory(db: Db, where: { platformId: string; courseId: string }, now: Date): Promise<{ stored: number; skipped: number }> {
  return db.transaction(async (tx) => {
    if (!(await q.claimSetting(tx, HISTORY_SETTING, { seededAt: now.toISOString() }))) return { stored: 0, skipped: 0 };
    const users = await q.findUserIds(tx, where.platformId, DEMO_PEOPLE.map((p) => p.sub));
    const topics = new Map<string, string>();
    for (const name of TOPICS) topics.set(name, await q.findOrCreateTopicTag(tx, where.platformId, name));
    const ids: Ids = { courseId: where.courseId, user: (sub) => users.get(sub)!, topic: (name) => topics.get(name)! };
    const records: q.RunRecords = { meetings: [], attendance: [], chat: [], feedback: [], ratings: [], rsvps: [] };
    const plan = planHistory(now);
    const times = plan.flatMap((s) => s.occurrences.flatMap((o) => [o.start.getTime(), o.end.getTime()]));
    const busy = await q.listBookings(tx, [...users.values()], new Date(Math.min(...times)), new Date(Math.max(...times)));
    let stored = 0;
    for (const series of plan) {
      // A course used before this history existed may have booked a tutor then: that session wins.
      if (tutorsBusy(busy, series, ids)) continue;
      await storeSeries(tx, series, ids, records);
      stored++;
    }
    await q.insertRunRecords(tx, records);
    return { stored, skipped: plan.length - stored };
  });
}

function tutorsBusy(bookings: { tutorId: string; startsAt: Date; endsAt: Date }[], series: PlannedSeries, ids: Ids): boolean {
  const tutorIds = series.tutors.map(ids.user);
  return series.occurrences.some(
    (o) => o.status !== 'cancelled' && bookings.some((b) => tutorIds.includes(b.tutorId) && b.startsAt < o.end && b.endsAt > o.start),
  );
}

async function storeSeries(tx: Db, series: PlannedSeries, ids: Ids, records: q.RunRecords): Promise<void> {
  const { courseId } = ids;
  const { timing } = series;
  const seriesId = await sessions.insertSeries(tx, {
    courseId,
    createdBy: ids.user(series.createdBy),
    name: series.name,
    description: series.description,
    timeZone: timing.zone,
    startDate: timing.startDate,
    startTime: timing.startTime,
    durationMinutes: timing.durationMinutes,
    repeat: timing.repeat,
    invitedOnly: series.invitedOnly,
    meetingUrl: null,
    autoResources: false,
  });
  await sessions.replaceSeriesDetails(tx, seriesId, courseId, {
    tagIds: series.topics.map(ids.topic),
    resources: series.resources,
    invitees: [...series.tutors.map((sub) => ({ userId: ids.user(sub), role: 'tutor' as const })), ...series.students.map((sub) => ({ userId: ids.user(sub), role: 'student' as const }))],
  });
  await sessions.insertOccurrences(tx, seriesId, courseId, series.occurrences.map((o) => ({ start: o.start, end: o.end })));
  const stored = await sessions.listOccurrencesFrom(tx, seriesId, new Date(0));
  for (const [i, planned] of series.occurrences.entries()) {
    const occurrenceId = stored[i]!.id;
    if (planned.status !== 'scheduled') await q.setOccurrenceStatus(tx, occurrenceId, planned.status);
    addRecords(records, planned, occurrenceId, ids);
  }
  await syncBookings(tx, [seriesId]);
}

function addRecords(records: q.RunRecords, o: PlannedOccurrence, occurrenceId: string, ids: Ids): void {
  const { courseId, user } = ids;
  const base = { occurrenceId, courseId };
  if (o.meeting) records.meetings.push({ ...base, startedBy: user(o.meeting.startedBy), startedAt: o.meeting.startedAt, endedAt: o.meeting.endedAt, endedBy: o.meeting.endedBy });
  for (const a of o.attendance) {
    records.attendance.push({ ...base, userId: user(a.sub), role: a.role, firstJoinedAt: a.firstJoinedAt, lastLeftAt: a.lastLeftAt, lastSeenAt: a.lastLeftAt });
  }
  for (const c of o.chat) records.chat.push({ ...base, authorId: user(c.sub), authorRole: c.role, body: c.body, sentAt: c.sentAt });
  for (const f of o.feedback) {
    records.feedback.push({
      ...base,
      studentId: user(f.studentSub),
      authorId: user(f.authorSub),
      forStudent: f.forStudent,
      private: f.private,
      prerequisite: f.prerequisite,
      mastery: f.mastery,
      topicTagId: ids.topic(f.topic),
      finishedAt: f.finishedAt,
      createdAt: f.updatedAt,
      updatedAt: f.updatedAt,
    });
  }
  for (const r of o.ratings) records.ratings.push({ ...base, studentId: user(r.studentSub), stars: r.stars, comment: r.comment, createdAt: r.at, updatedAt: r.at });
  for (const r of o.rsvps) records.rsvps.push({ ...base, userId: user(r.sub), response: r.response, respondedAt: r.at });
}
