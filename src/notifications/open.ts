// Email links to a session page. Browsers hold no TutorKit sign-in of their own (the token lives
// in the LMS launch's page), so a link cannot open the page directly: it records "take this person
// to this session" for a few minutes, and their next launch lands there instead of their home.
import type { Db } from '../db/client.js';
import type { Links } from './links.js';
import * as q from './queries.js';

/** How long after opening the link the next launch still goes to the session. */
export const DESTINATION_MINUTES = 30;

export type OpenedLink = { state: 'remembered'; courseTitle: string } | { state: 'expired' } | { state: 'invalid' };

export async function openSessionLink(db: Db, links: Links, occurrenceId: string, query: Record<string, unknown>, now: Date): Promise<OpenedLink> {
  if (!/^[0-9a-f-]{36}$/i.test(occurrenceId)) return { state: 'invalid' };
  const check = links.verifySessionLink(occurrenceId, query, now);
  if (!check.ok) return { state: check.reason };
  // Only a session in a course the person belongs to; a signed link for anything else is refused.
  const found = await q.findOccurrenceForMember(db, occurrenceId, check.userId);
  if (!found) return { state: 'invalid' };
  await q.savePendingDestination(db, { userId: check.userId, courseId: found.courseId, occurrenceId, expiresAt: new Date(now.getTime() + DESTINATION_MINUTES * 60_000) });
  return { state: 'remembered', courseTitle: found.courseTitle };
}

/**
 * Where this launch should land, if the person opened a session link shortly before: the session
 * page, once, and only when they launched from that session's course.
 */
export async function takeLaunchDestination(db: Db, userId: string, courseId: string, now: Date): Promise<string | null> {
  const pending = await q.takePendingDestination(db, userId, courseId);
  if (!pending || pending.expiresAt <= now) return null;
  return `/c/${courseId}/sessions/${pending.occurrenceId}`;
}
