// Reminder emails before each occurrence: 24 hours and 15 minutes before it starts, to invitees
// who want reminders and have not declined; never for cancelled occurrences. The worker calls
// queueDueReminders on every tick; dedupe keys (occurrence, person, lead) make repeated scans safe.
//
// Missed reminders (the worker was down): only the most recent reminder that is due is queued,
// and only while at least half of its lead time is left (the 24-hour one until 12 hours before,
// the 15-minute one until 7.5 minutes before). So nobody gets "starts in 24 hours" and "starts in
// 15 minutes" together, and the subject says the real time left ("starts in 11 minutes").
import type { Db } from '../db/client.js';
import { compose } from './compose.js';
import { factsOf } from './notify.js';
import type { Links } from './links.js';
import { enqueue, type OutgoingMessage } from './outbox.js';
import * as q from './queries.js';

/** Lead times in minutes, longest first. */
export const REMINDER_LEADS = [24 * 60, 15] as const;
const MINUTE_MS = 60_000;

/**
 * The reminder of lead L is due while between L and L/2 minutes are left before the start; the
 * leads' windows do not overlap, so at most one is due per occurrence. Each tick asks the
 * database only for reminders due now and not queued yet: a 15-second tick does not compose
 * a day's reminders again to have the dedupe keys refuse them.
 */
export async function queueDueReminders(db: Db, links: Links, now: Date): Promise<number> {
  const messages: OutgoingMessage[] = [];
  const series = new Map<string, Awaited<ReturnType<typeof loadSeriesFacts>>>();
  for (const lead of REMINDER_LEADS) {
    const from = new Date(now.getTime() + (lead / 2) * MINUTE_MS);
    const until = new Date(now.getTime() + lead * MINUTE_MS);
    for (const c of await q.listReminderCandidates(db, { from, until, lead })) {
      if (!series.has(c.seriesId)) series.set(c.seriesId, await loadSeriesFacts(db, c.seriesId));
      const facts = series.get(c.seriesId);
      if (!facts) continue;
      const left = Math.ceil((c.startsAt.getTime() - now.getTime()) / MINUTE_MS);
      const link = links.sessionLink(c.userId, c.occurrenceId, c.endsAt);
      const letter = compose({ kind: 'reminder', recipient: { name: c.name, timeZone: c.timeZone }, session: facts, start: c.startsAt, end: c.endsAt, link, leadMinutes: left });
      messages.push({
        dedupeKey: q.reminderKey(c.occurrenceId, c.userId, lead),
        kind: 'reminder',
        userId: c.userId,
        to: c.email,
        ...letter,
        ics: null,
        courseId: c.courseId,
        seriesId: c.seriesId,
        occurrenceId: c.occurrenceId,
      });
    }
  }
  return messages.length === 0 ? 0 : enqueue(db, messages);
}

async function loadSeriesFacts(db: Db, seriesId: string) {
  const series = await q.findSeries(db, seriesId);
  return series ? factsOf(db, series, await q.listInvitees(db, seriesId)) : undefined;
}
