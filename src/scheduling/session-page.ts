// The session page: one occurrence with its series, as the viewer may see it.
import type { Db } from '../db/client.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import { NotFoundError } from '../lib/errors.js';
import { describeRepeat, timingOf, type SeriesTiming } from '../lib/recurrence.js';
import { formatRange } from '../lib/time.js';
import * as q from './queries.js';
import { mayEdit, seesAllSessions } from './service.js';

/** The session page: one occurrence with its series, as the viewer may see it. */
export async function loadSessionPage(db: Db, viewer: Viewer, occurrenceId: string, now: Date) {
  const zone = viewerZone(viewer);
  const found = await q.findOccurrence(db, viewer.courseId, occurrenceId);
  if (!found) throw new NotFoundError('This session does not exist in this community.');
  const [invitees, tags, resources] = await Promise.all([
    q.listSeriesInvitees(db, found.series.id),
    q.listSeriesTags(db, found.series.id),
    q.listSeriesResources(db, found.series.id),
  ]);
  const invited = invitees.some((i) => i.userId === viewer.userId);
  const mine = found.series.createdBy === viewer.userId;
  if (!seesAllSessions(viewer.role) && !invited && !mine && found.series.invitedOnly) {
    throw new NotFoundError('This session does not exist in this community.');
  }
  const repeatSummary = await describeSeriesRepeat(db, found.series);
  const ended = found.endsAt.getTime() <= now.getTime() || found.status === 'ended';
  const matching = found.series.autoResources
    ? await q.listMatchingResources(
        db,
        viewer.courseId,
        found.series.id,
        tags.filter((t) => t.category === 'topic').map((t) => t.id),
        tags.filter((t) => t.category === 'grade_level').map((t) => t.id),
      )
    : [];
  const own = new Set(resources.map((r) => r.url));
  // Edit and Cancel: for those who may change it, and only before it starts (past sessions are kept as they were).
  const canEdit = found.status === 'scheduled' && found.startsAt > now && (await mayEdit(db, viewer, found.series));
  return {
    canEdit,
    occurrenceId: found.occurrenceId,
    series: found.series,
    startsAt: found.startsAt,
    status: found.status,
    name: found.series.name,
    description: found.series.description,
    community: found.courseTitle,
    tags,
    when: formatRange(found.startsAt, found.endsAt, zone),
    schedulerWhen: found.series.timeZone !== zone ? formatRange(found.startsAt, found.endsAt, found.series.timeZone) : null,
    lengthMinutes: found.series.durationMinutes,
    repeatSummary,
    tutors: invitees.filter((i) => i.role === 'tutor'),
    students: invitees.filter((i) => i.role === 'student'),
    invitedOnly: found.series.invitedOnly,
    // Notifications: staff see who gets no emails about this session.
    showsEmailGaps: viewer.role !== 'student',
    meetingUrl: found.series.meetingUrl,
    // Students see resources until the session is over and exit resources after it; staff see both.
    resources: [...resources.filter((r) => r.kind === 'before'), ...matching.filter((r) => !own.has(r.url)).map((r) => ({ ...r, kind: 'before' as const }))].filter(
      () => viewer.role !== 'student' || !ended,
    ),
    exitResources: resources.filter((r) => r.kind === 'exit' && (viewer.role !== 'student' || ended)),
  };
}

/** The repeat in words; a session moved out of a series says which series it came from. */
async function describeSeriesRepeat(db: Db, series: q.SeriesRow): Promise<string> {
  const own = describeRepeat(timingOf(series));
  if (!series.parentSeriesId || (series.repeat as SeriesTiming['repeat']).freq !== 'none') return own;
  const parent = await q.findSeries(db, series.parentSeriesId);
  return parent ? `${own} (moved from the series “${parent.name}”: ${describeRepeat(timingOf(parent))})` : own;
}

