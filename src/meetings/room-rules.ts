// The Warmup room's rules, as pure functions: who may enter and as what, and where the session
// stands (not open yet, waiting for the tutor, meeting started, ended).
import type { Viewer } from '../courses/service.js';
import { AppError, ForbiddenError } from '../lib/errors.js';
import { addElapsedMinutes } from '../lib/time.js';
import type { AttendeeRole } from './room-queries.js';

/** The room opens this long before the session starts. */
export const OPENS_BEFORE_MINUTES = 15;

/**
 * How a person is in the room: an attendee (a tutor or student of the session, recorded in
 * attendance and listed as present) or an observer (the course's instructors and administrators,
 * who may look in without being listed or recorded).
 */
export type Part = AttendeeRole | 'observer';

/**
 * - `not-open`: more than 15 minutes before the start;
 * - `waiting`: open, the tutor has not pressed Start meeting;
 * - `started`: the meeting runs;
 * - `ended`: the meeting ended (End meeting, or by itself);
 * - `over`: nobody started it and its scheduled end has passed.
 */
export type Phase = 'not-open' | 'waiting' | 'started' | 'ended' | 'over';

const NOT_ALLOWED = 'Your role in this course does not give access to this page.';

/** Where the occurrence stands at `now`. */
export function phaseOf(o: { status: string; startsAt: Date; endsAt: Date; startedAt: Date | null; endedAt: Date | null }, now: Date): Phase {
  if (o.endedAt || o.status === 'ended') return 'ended';
  if (o.startedAt) return 'started';
  if (now < opensAt(o.startsAt)) return 'not-open';
  return now < o.endsAt ? 'waiting' : 'over';
}

export function opensAt(startsAt: Date): Date {
  return addElapsedMinutes(startsAt, -OPENS_BEFORE_MINUTES);
}

/** Whether streams and chat are open: the room is open until the meeting ends (or, unstarted, until the scheduled end). */
export function isOpen(phase: Phase): boolean {
  return phase === 'waiting' || phase === 'started';
}

/**
 * How the viewer may be in the room, or the refusal: invited tutors and students; any student of
 * the course when the session is not "Only invited students can attend"; the course's
 * instructors and administrators look in. A cancelled session opens for nobody.
 */
export function partOf(viewer: Viewer, room: { invitedAs: AttendeeRole | null; invitedOnly: boolean; status: string }): Part {
  if (room.status === 'cancelled') throw new CancelledSessionError();
  if (room.invitedAs) return room.invitedAs;
  if (viewer.role === 'instructor' || viewer.role === 'admin') return 'observer';
  if (viewer.role === 'student' && !room.invitedOnly) return 'student';
  if (viewer.role === 'student') throw new ForbiddenError(`${NOT_ALLOWED} Only invited students can attend this session.`);
  throw new ForbiddenError(`${NOT_ALLOWED} Only the tutors of this session can enter its Warmup room.`);
}

/** The transcript: the session's tutors, the students who attended, the course's instructors and administrators. */
export function mayReadTranscript(viewer: Viewer, room: { invitedAs: AttendeeRole | null; attended: boolean }): boolean {
  return viewer.role === 'instructor' || viewer.role === 'admin' || room.invitedAs === 'tutor' || room.attended;
}

export function transcriptRefusal(): ForbiddenError {
  return new ForbiddenError(`${NOT_ALLOWED} The transcript is for the session’s tutors, the students who attended, and the course’s instructors.`);
}

export function notTutorRefusal(): ForbiddenError {
  return new ForbiddenError(`${NOT_ALLOWED} Only the tutors of this session can start its meeting.`);
}

export class CancelledSessionError extends AppError {
  constructor() {
    super(409, { title: 'This session was cancelled', message: 'A cancelled session has no Warmup room.', next: 'Open My sessions to see what is coming up.' });
  }
}

/** The room is not open for live use (stream, chat, start): why, in words. */
export class RoomClosedError extends AppError {
  constructor(phase: Phase) {
    const message =
      phase === 'not-open'
        ? `The Warmup room opens ${OPENS_BEFORE_MINUTES} minutes before the session starts.`
        : phase === 'over'
          ? 'This session is over: its scheduled time has passed and the meeting was not started.'
          : 'This session has ended.';
    super(409, { title: 'The Warmup room is closed', message, next: 'Reload the page to see the session as it is now.' });
  }
}
