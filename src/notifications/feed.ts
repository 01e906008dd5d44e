// The personal calendar feed: a secret subscription URL per person listing their sessions (invited
// or created), with the same UIDs and SEQUENCE numbers as the emails, so a calendar that has both
// shows each session once. Only a SHA-256 hash of the secret is stored; the URL is shown once.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import { expandOccurrences, timingOf } from '../lib/recurrence.js';
import { isDetached, overrideEvent, seriesEvent } from './entries.js';
import { localDateOf } from '../lib/time.js';
import { buildCalendar, type IcsEvent } from './ics.js';
import type { Links } from './links.js';
import * as q from './queries.js';

const DAY_MS = 86_400_000;
/** Sessions of the last 60 days and the next 400. */
const PAST_DAYS = 60;
const FUTURE_DAYS = 400;

export function hashFeedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Makes a new secret (the old URL stops working) and returns the URL to show once. */
export async function createFeedLink(db: Db, links: Links, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await q.setFeedTokenHash(db, userId, hashFeedToken(token));
  return links.absoluteUrl(`/feed/${token}.ics`);
}

export async function turnOffFeed(db: Db, userId: string): Promise<void> {
  await q.setFeedTokenHash(db, userId, null);
}

/** The person's calendar for a feed secret, or null when no one has it (unknown or revoked). */
export async function buildFeed(db: Db, links: Links, token: string, now: Date): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const person = await q.findUserByFeedHash(db, hashFeedToken(token));
  if (!person) return null;
  const list = await q.listFeedSeries(db, person.userId, new Date(now.getTime() - PAST_DAYS * DAY_MS), new Date(now.getTime() + FUTURE_DAYS * DAY_MS));
  const byId = new Map(list.map((s) => [s.id, s]));
  const parents = await Promise.all([...new Set(list.map((s) => s.parentSeriesId).filter((id): id is string => !!id && !byId.has(id)))].map((id) => q.findSeries(db, id)));
  for (const p of parents) if (p) byId.set(p.id, p);
  const occurrences = await q.listSeriesOccurrences(db, list.map((s) => s.id));
  const tutorUrls = await q.listTutorMeetingUrls(db, list.map((s) => s.id));
  const events: IcsEvent[] = [];
  for (const series of list) {
    const own = occurrences.filter((o) => o.seriesId === series.id);
    const focus = own.find((o) => o.startsAt > now) ?? own[own.length - 1];
    if (!focus) continue;
    const link = links.sessionLink(person.userId, focus.id, focus.endsAt);
    const joinUrl = series.meetingUrl ?? tutorUrls.get(series.id) ?? null;
    const text = { summary: series.name, description: [series.description, joinUrl ? `Join: ${joinUrl}` : '', `Open in TutorKit: ${link}`].filter(Boolean).join('\n\n') };
    const parent = series.parentSeriesId ? byId.get(series.parentSeriesId) : undefined;
    if (isDetached(series, parent, own[0])) {
      events.push({ ...overrideEvent(parent!, series, own[0]!, text), meetingUrl: joinUrl });
      continue;
    }
    const event = { ...seriesEvent(series, own, text), meetingUrl: joinUrl };
    event.exdates = [...(event.exdates ?? []), ...movedAwayStarts(series, list, occurrences)];
    events.push(event);
  }
  return buildCalendar('PUBLISH', events, now, { name: 'TutorKit sessions' });
}

/**
 * Dates moved out of a series whose override this feed does not carry (the person is not invited
 * to the moved session): without an EXDATE the calendar would still show them at the old time.
 */
function movedAwayStarts(series: q.SeriesRow, list: q.SeriesRow[], occurrences: q.OccurrenceRow[]): Date[] {
  if (series.excludedDates.length === 0) return [];
  const shown = new Set(
    list
      .filter((child) => child.parentSeriesId === series.id)
      .flatMap((child) => occurrences.filter((o) => o.seriesId === child.id).map((o) => localDateOf(o.originalStartsAt, series.timeZone))),
  );
  const missing = series.excludedDates.filter((d) => !shown.has(d));
  return expandOccurrences(timingOf(series))
    .filter((o) => missing.includes(o.localDate))
    .map((o) => o.start);
}
