// The end of a session: End meeting (by a tutor, or by itself an hour after the scheduled end),
// the tutor's feedback and diagnosis for each student who attended, and the students' rating.
// Built once by the composition root (createWrapupService); routes call its methods.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import { parseCommand } from '../lib/forms.js';
import { addElapsedMinutes, formatRange, wallTime, zoneLabel } from '../lib/time.js';
import { DIAGNOSIS_REQUIRED, FeedbackForm, RatingForm } from './wrapup-forms.js';
import * as q from './wrapup-queries.js';

/** A meeting nobody ended ends itself this long after its scheduled end. */
export const AUTO_END_MINUTES = 60;
/** A student may rate, and change their rating, this long after the meeting ended. */
export const RATING_DAYS = 7;

/**
 * What other parts react to, called after the change is committed (the live room tells its
 * students the meeting ended; Early Alerts read new diagnoses). Wired by src/services.ts; a hook
 * logs its own failures rather than throwing, since the change is already stored.
 */
export interface WrapupHooks {
  meetingEnded(occurrenceId: string, courseId: string): Promise<void> | void;
  feedbackSaved(occurrenceId: string, courseId: string, studentIds: string[]): Promise<void> | void;
}

const NO_HOOKS: WrapupHooks = { meetingEnded: () => undefined, feedbackSaved: () => undefined };

/** The sentence every role refusal starts with, then the rule that refused. */
const NOT_YOUR_ROLE = 'Your role in this course does not give access to this page.';

function conflict(title: string, message: string, next?: string) {
  return new AppError(409, { title, message, next });
}

/** "Tue 16 Mar 2027, 16:02 (Europe/Berlin)". */
function moment(at: Date, zone: string): string {
  const w = wallTime(at, zone, 'en-GB');
  return `${w.dayLabel}, ${w.time} (${zoneLabel(zone)})`;
}

export interface WrapupDeps {
  db: Db;
  clock: Clock;
  hooks?: Partial<WrapupHooks>;
}

export function createWrapupService(deps: WrapupDeps) {
  const { db, clock } = deps;
  const hooks: WrapupHooks = { ...NO_HOOKS, ...deps.hooks };

  async function occurrenceOf(viewer: Viewer, occurrenceId: string): Promise<q.OccurrenceWithMeeting> {
    const found = z.uuid().safeParse(occurrenceId).success ? await q.findOccurrenceWithMeeting(db, viewer.courseId, occurrenceId) : undefined;
    if (!found) throw new NotFoundError('This session does not exist in this community.');
    return found;
  }

  const isSessionTutor = (viewer: Viewer, occ: q.OccurrenceWithMeeting) => q.isSeriesTutor(db, occ.seriesId, viewer.userId);

  /** Feedback is written by the session's tutors and read by the course's instructors and administrators, once the meeting started. */
  async function feedbackOccurrence(viewer: Viewer, occurrenceId: string) {
    const occ = await occurrenceOf(viewer, occurrenceId);
    const staff = viewer.role === 'instructor' || viewer.role === 'admin';
    if (!staff && !(viewer.role === 'tutor' && (await isSessionTutor(viewer, occ)))) {
      throw new ForbiddenError(`${NOT_YOUR_ROLE} Only this session’s tutors, and the community’s instructors and administrators, see its feedback.`);
    }
    if (!occ.startedAt) {
      throw conflict('Feedback is not open yet', 'Feedback opens once the tutor has pressed Start meeting. This session’s meeting has not started.', 'Open the session’s Warmup room when it is time, start the meeting, then come back here.');
    }
    return occ;
  }

  async function topicChoices(occ: q.OccurrenceWithMeeting, saved: q.FeedbackRow[]) {
    const sessionTopics = await q.listSessionTopicTagIds(db, occ.seriesId);
    const inUse = [...sessionTopics, ...saved.flatMap((f) => (f.topicTagId ? [f.topicTagId] : []))];
    const topics = await q.listTopicTags(db, occ.platformId, inUse);
    topics.sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base', numeric: true }));
    return { topics, defaultTopic: sessionTopics[0] ?? null };
  }

  async function feedbackPage(viewer: Viewer, occurrenceId: string, state: FeedbackState = {}) {
    const occ = await feedbackOccurrence(viewer, occurrenceId);
    const zone = viewerZone(viewer);
    const [attended, saved, tutor] = await Promise.all([q.listAttendedStudents(db, occ.occurrenceId), q.listFeedback(db, occ.occurrenceId), isSessionTutor(viewer, occ)]);
    const { topics, defaultTopic } = await topicChoices(occ, saved);
    const students = attended.map((s) => {
      const row = saved.find((f) => f.studentId === s.userId);
      const typed = state.studentId === s.userId ? state : null;
      return {
        studentId: s.userId,
        name: s.name,
        attended: s.lastLeftAt ? `Joined ${moment(s.firstJoinedAt, zone)}, left ${wallTime(s.lastLeftAt, zone).time}` : `Joined ${moment(s.firstJoinedAt, zone)}`,
        values: typed?.values ?? {
          forStudent: row?.forStudent ?? '',
          private: row?.private ?? '',
          prerequisite: row?.prerequisite ?? '',
          mastery: row?.mastery ?? '',
          topicTagId: row?.topicTagId ?? defaultTopic ?? '',
        },
        finished: row?.finishedAt ? moment(row.finishedAt, zone) : null,
        draftSaved: row && !row.finishedAt ? moment(row.updatedAt, zone) : null,
        errors: typed?.errors ?? {},
        notice: typed?.notice ?? null,
      };
    });
    return {
      occurrenceId: occ.occurrenceId,
      name: occ.name,
      when: formatRange(occ.startsAt, occ.endsAt, zone),
      started: moment(occ.startedAt!, zone),
      ended: occ.endedAt ? moment(occ.endedAt, zone) : null,
      endedBy: occ.endedBy,
      autoEndMinutes: AUTO_END_MINUTES,
      lengthMinutes: occ.endedAt ? Math.max(0, Math.round((occ.endedAt.getTime() - occ.startedAt!.getTime()) / 60_000)) : null,
      canEnd: !occ.endedAt && tutor,
      autoEnds: occ.endedAt ? null : moment(addElapsedMinutes(occ.endsAt, AUTO_END_MINUTES), zone),
      students,
      topics,
      /** A site without Topic tags cannot require one. */
      needsTopic: topics.length > 0,
    };
  }

  async function saveFeedback(viewer: Viewer, occurrenceId: string, body: Record<string, unknown>) {
    const occ = await feedbackOccurrence(viewer, occurrenceId);
    const studentId = typeof body.studentId === 'string' ? body.studentId : '';
    const attended = await q.listAttendedStudents(db, occ.occurrenceId);
    if (!attended.some((s) => s.userId === studentId)) {
      throw new AppError(422, {
        title: 'This student did not attend',
        message: 'Feedback is written only for the students who attended this session. Nothing was saved.',
        next: 'Reload the feedback page: it lists every student who attended.',
      });
    }
    const form = parseCommand(FeedbackForm, body);
    const saved = await q.listFeedback(db, occ.occurrenceId);
    const { topics } = await topicChoices(occ, saved);
    if (form.topicTagId && !topics.some((t) => t.id === form.topicTagId)) {
      const message = 'Topic tag: choose one of the Topic tags listed. The one sent is not a Topic tag of this site, or it was retired.';
      throw new ValidationError(message, { topicTagId: message });
    }
    const existing = saved.find((f) => f.studentId === studentId);
    // A finished feedback stays finished: Early Alerts may already have read its diagnosis.
    const finish = form.action === 'finish' || !!existing?.finishedAt;
    if (finish) assertDiagnosis(form, topics.length > 0);
    const { action: _action, ...fields } = form;
    await q.saveFeedback(db, { ...fields, occurrenceId: occ.occurrenceId, studentId, courseId: occ.courseId, authorId: viewer.userId, finish }, clock.now());
    await hooks.feedbackSaved(occ.occurrenceId, occ.courseId, [studentId]);
    return { studentId, finished: finish };
  }

  async function endMeeting(viewer: Viewer, occurrenceId: string): Promise<void> {
    const occ = await occurrenceOf(viewer, occurrenceId);
    if (!(await isSessionTutor(viewer, occ))) throw new ForbiddenError(`${NOT_YOUR_ROLE} Only this session’s tutors can end its meeting.`);
    const ended = await q.endMeeting(db, occ.courseId, occ.occurrenceId, clock.now());
    if (!ended) throw notOpen(occ, viewerZone(viewer));
    await hooks.meetingEnded(ended.occurrenceId, ended.courseId);
  }

  /** The sweep (run on the mail worker's tick): ends what is overdue, returns how many. */
  async function endOverdue(now: Date): Promise<number> {
    const ended = await q.endOverdueMeetings(db, now, AUTO_END_MINUTES);
    for (const m of ended) await hooks.meetingEnded(m.occurrenceId, m.courseId);
    return ended.length;
  }

  /** A student's rating page: they attended, and the meeting ended. */
  async function ratingOccurrence(viewer: Viewer, occurrenceId: string) {
    const occ = await occurrenceOf(viewer, occurrenceId);
    if (!(await q.hasAttendedAsStudent(db, occ.occurrenceId, viewer.userId))) throw new ForbiddenError('Only the students who attended this session can rate it.');
    if (!occ.endedAt) {
      throw conflict('This session has not ended yet', 'You can see the Exit resources and rate the session once its meeting has ended.', 'Come back after the session, or open it from your meeting history.');
    }
    const closesAt = new Date(occ.endedAt.getTime() + RATING_DAYS * 24 * 60 * 60_000);
    return { occ, closesAt, open: clock.now() < closesAt };
  }

  async function ratingPage(viewer: Viewer, occurrenceId: string, state: RatingState = {}) {
    const { occ, closesAt, open } = await ratingOccurrence(viewer, occurrenceId);
    const zone = viewerZone(viewer);
    const [exitResources, feedback, rating] = await Promise.all([
      q.listExitResources(db, occ.seriesId),
      q.findFeedbackForStudent(db, occ.occurrenceId, viewer.userId),
      q.findRating(db, occ.occurrenceId, viewer.userId),
    ]);
    return {
      occurrenceId: occ.occurrenceId,
      name: occ.name,
      when: formatRange(occ.startsAt, occ.endsAt, zone),
      exitResources,
      feedback,
      rating: rating ?? null,
      open,
      days: RATING_DAYS,
      closes: moment(closesAt, zone),
      values: state.values ?? { stars: rating ? String(rating.stars) : '', comment: rating?.comment ?? '' },
      errors: state.errors ?? {},
      notice: state.notice ?? null,
    };
  }

  async function saveRating(viewer: Viewer, occurrenceId: string, body: Record<string, unknown>): Promise<void> {
    const { occ, closesAt, open } = await ratingOccurrence(viewer, occurrenceId);
    if (!open) {
      throw conflict('Rating closed', `Ratings can be given or changed for ${RATING_DAYS} days after a session ends. This one closed on ${moment(closesAt, viewerZone(viewer))}. Nothing was changed.`);
    }
    const form = parseCommand(RatingForm, body);
    await q.saveRating(db, { occurrenceId: occ.occurrenceId, studentId: viewer.userId, courseId: occ.courseId, ...form }, clock.now());
  }

  return { feedbackPage, saveFeedback, endMeeting, endOverdue, ratingPage, saveRating };
}

export type WrapupService = ReturnType<typeof createWrapupService>;

/** What one student's feedback form shows after a save or a refusal. */
export interface FeedbackState {
  studentId?: string;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  notice?: string;
}

export interface RatingState {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  notice?: string;
}

/** Finish needs the whole diagnosis; the topic only when the site has Topic tags to choose from. */
function assertDiagnosis(form: FeedbackForm, topicsExist: boolean) {
  const missing: Record<string, string> = {};
  if (!form.prerequisite) missing.prerequisite = DIAGNOSIS_REQUIRED.prerequisite;
  if (!form.mastery) missing.mastery = DIAGNOSIS_REQUIRED.mastery;
  if (!form.topicTagId && topicsExist) missing.topicTagId = DIAGNOSIS_REQUIRED.topicTagId;
  if (Object.keys(missing).length) throw new ValidationError('The diagnosis is needed to finish. Nothing was saved.', missing);
}

/** Why End meeting found nothing to end: never started, or ended already (and when, and how). */
function notOpen(occ: q.OccurrenceWithMeeting, zone: string): AppError {
  if (!occ.startedAt) return conflict('The meeting has not started', 'There is nothing to end: this session’s meeting was never started. Nothing was changed.');
  const endedAt = occ.endedAt ? ` on ${moment(occ.endedAt, zone)}` : '';
  const how = occ.endedBy === 'auto' ? `by itself, ${AUTO_END_MINUTES} minutes after its scheduled end` : 'by its tutor';
  return conflict('The meeting already ended', `This meeting already ended${endedAt}, ${how}. Nothing was changed.`, 'Finish the feedback for the students who attended.');
}

