// A session as proposed on the Add sessions / Edit session form, before it is saved: its
// timing and its invitees. The conflict alert and the Scheduling assistant read the form this way.
import type { Db } from '../db/client.js';
import type { Invitee } from '../availability/conflicts.js';
import { checkTiming, type SeriesTiming } from '../lib/recurrence.js';
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
  const tutors = [...new Set(parsed.data.tutorIds)].filter((id) => ['tutor', 'instructor'].includes(byId.get(id)?.role ?? ''));
  const students = [...new Set(parsed.data.studentIds)].filter((id) => byId.get(id)?.role === 'student' && !tutors.includes(id));
  return {
    timing,
    invitees: [
      ...tutors.map((userId) => ({ userId, role: 'tutor' as const, name: byId.get(userId)!.name })),
      ...students.map((userId) => ({ userId, role: 'student' as const, name: byId.get(userId)!.name })),
    ],
  };
}
