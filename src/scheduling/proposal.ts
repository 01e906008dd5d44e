// A session as proposed on the Add sessions / Edit session form, before it is saved: its
// timing and its invitees. The conflict alert and the Scheduling assistant read the form this way.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import type { Invitee } from '../availability/conflicts.js';
import { TUTORING_ROLES } from '../courses/service.js';
import { NotFoundError } from '../lib/errors.js';
import { checkTiming, type SeriesTiming } from '../lib/recurrence.js';
import { judgeConflicts, type ConflictVerdict } from './conflict-gate.js';
import * as q from './queries.js';
import { ProposalForm, readTiming } from './schemas.js';

export interface Proposal {
  timing: SeriesTiming;
  invitees: (Invitee & { name: string })[];
}

/**
 * The proposal, or null while the schedule is incomplete or invalid (the form reports those
 * problems on Save). Only members of the course count as invitees: nobody can look up the
 * availability of people outside their community through these pages.
 */
export async function readProposal(db: Db, courseId: string, body: unknown): Promise<Proposal | null> {
  const parsed = ProposalForm.safeParse(body ?? {});
  if (!parsed.success) return null;
  const timing = readTiming(parsed.data);
  if (Object.keys(checkTiming(timing)).length > 0) return null;
  const members = await q.listMembers(db, courseId, ['instructor', 'tutor', 'student']);
  const byId = new Map(members.map((m) => [m.userId, m]));
  const tutors = [...new Set(parsed.data.tutorIds)].filter((id) => TUTORING_ROLES.includes(byId.get(id)?.role ?? 'student'));
  const students = [...new Set(parsed.data.studentIds)].filter((id) => byId.get(id)?.role === 'student' && !tutors.includes(id));
  return {
    timing,
    invitees: [
      ...tutors.map((userId) => ({ userId, role: 'tutor' as const, name: byId.get(userId)!.name })),
      ...students.map((userId) => ({ userId, role: 'student' as const, name: byId.get(userId)!.name })),
    ],
  };
}

/**
 * The series an edit form replaces (its own sessions are not conflicts), from the occurrence the
 * form names; none for the Add sessions form. Only one in this course.
 */
export async function seriesBeingEdited(db: Db, courseId: string, occurrenceId: unknown): Promise<string[]> {
  const id = Array.isArray(occurrenceId) ? occurrenceId[0] : occurrenceId;
  if (id === undefined || id === '') return [];
  const found = z.uuid().safeParse(id).success ? await q.findOccurrenceWithSeries(db, courseId, String(id)) : undefined;
  if (!found) throw new NotFoundError('The session being edited is not in this course.');
  return [found.series.id];
}

/** The live alert of the form: the form's conflicts as a save would judge them, or null while there is nothing to check. */
export async function checkProposal(db: Db, courseId: string, body: Record<string, unknown>): Promise<ConflictVerdict | null> {
  const proposal = await readProposal(db, courseId, body);
  if (!proposal || proposal.invitees.length === 0) return null;
  const excludeSeriesIds = await seriesBeingEdited(db, courseId, body.editOccurrenceId);
  const confirmation = typeof body.confirmConflicts === 'string' ? body.confirmConflicts : '';
  return judgeConflicts(db, { timing: proposal.timing, invitees: proposal.invitees, excludeSeriesIds, courseId, confirmation });
}
