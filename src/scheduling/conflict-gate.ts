// The scheduler's conflicts, judged one way for the form's live alert and for the save: who can't
// make it, whether the scheduler confirmed exactly these conflicts (a fingerprint), and whether a
// tutor would be double-booked, which no confirmation can allow.
import type { Db } from '../db/client.js';
import { checkConflicts } from '../availability/service.js';
import { describeConflicts, fingerprint, type Conflict, type Invitee, type PersonConflicts } from '../availability/conflicts.js';
import { FormRefusal } from '../lib/errors.js';
import type { SeriesTiming } from '../lib/recurrence.js';
import { isDoubleBooking } from './bookings.js';
import type { ValidSessionForm } from './validation.js';

/** The conflicts of a proposed session as the alert shows them and the save judges them. */
export interface ConflictVerdict {
  groups: PersonConflicts[];
  fingerprint: string;
  /** A tutor of this session tutors another one at the same time: it can never be saved. */
  blocking: boolean;
  /** The scheduler ticked "Schedule anyway" for exactly these conflicts. */
  confirmed: boolean;
  /** Nothing stands in the way of saving. */
  clear: boolean;
  invitees: number;
  occurrences: number;
}

export interface Proposed {
  timing: SeriesTiming;
  invitees: Invitee[];
  /** The series an edit replaces: their own sessions are not conflicts. */
  excludeSeriesIds: string[];
  /** The scheduler's community: sessions there are named in the alert, others are "another session". */
  courseId: string;
  /** The fingerprint the scheduler confirmed, or ''. */
  confirmation: string;
}

export async function judgeConflicts(db: Db, proposed: Proposed): Promise<ConflictVerdict> {
  const report = await checkConflicts(db, { timing: proposed.timing, invitees: proposed.invitees, excludeSeriesIds: proposed.excludeSeriesIds });
  const print = fingerprint(report.conflicts);
  const blocking = report.conflicts.some(isBlocking);
  const confirmed = proposed.confirmation === print;
  return {
    groups: describeConflicts(report.conflicts, proposed.timing.zone, proposed.courseId),
    fingerprint: print,
    blocking,
    confirmed,
    clear: report.conflicts.length === 0 || (!blocking && confirmed),
    invitees: proposed.invitees.length,
    occurrences: report.occurrences.length,
  };
}

const isBlocking = (c: Conflict) => c.kind === 'busy' && c.blocking;

/**
 * The scheduler saw conflicts (or there are new ones): the form comes back with them. People
 * who are unavailable or in another session can be overruled by confirming exactly these
 * conflicts; a tutor who already tutors another session then cannot (`blocking`).
 */
export class SchedulingConflicts extends FormRefusal {
  constructor(readonly verdict: Pick<ConflictVerdict, 'groups' | 'fingerprint' | 'blocking'>) {
    super(409, {
      title: 'Scheduling conflicts',
      message: verdict.blocking
        ? 'A tutor is already booked for another session at this time. Choose another time or another tutor.'
        : 'Some invited people can’t make it. Change the time, or confirm that you want to schedule it anyway.',
    });
  }
}

/**
 * Saves only when nobody has a conflict, or the scheduler confirmed exactly the conflicts there
 * are now, and no tutor would be double-booked. `timing` is what will be saved (an edit of one
 * occurrence saves a one-off); `excludeSeriesIds` are the series the save replaces.
 */
export async function gateConflicts(db: Db, valid: ValidSessionForm, timing: SeriesTiming, excludeSeriesIds: string[] = []): Promise<void> {
  const verdict = await judgeConflicts(db, { timing, invitees: valid.invitees, excludeSeriesIds, courseId: valid.form.courseId, confirmation: valid.form.confirmConflicts });
  if (!verdict.clear) throw new SchedulingConflicts(verdict);
}

/**
 * Runs the save; when the database refuses a double booking (another save took the tutor since
 * the check above), reports who and when like the check does.
 */
export async function saveWithoutDoubleBooking<T>(db: Db, valid: ValidSessionForm, timing: SeriesTiming, excludeSeriesIds: string[], save: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await db.transaction((tx) => save(tx as unknown as Db));
  } catch (err) {
    if (!isDoubleBooking(err)) throw err;
    // Only the tutors' clashes explain the refusal: soft conflicts here would invite a confirmation
    // that cannot help. With none left to name (a clash inside the replaced series), the alert says so generally.
    const report = await checkConflicts(db, { timing, invitees: valid.invitees, excludeSeriesIds });
    throw new SchedulingConflicts({ groups: describeConflicts(report.conflicts.filter(isBlocking), timing.zone, valid.form.courseId), fingerprint: '', blocking: true });
  }
}
