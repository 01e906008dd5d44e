// The Add sessions / Edit session form checked as a whole: every problem at once, keyed by field.
import type { Db } from '../db/client.js';
import { TUTORING_ROLES } from '../courses/service.js';
import { ValidationError } from '../lib/errors.js';
import { fieldErrors } from '../lib/forms.js';
import { checkTiming, expandOccurrences, type SeriesTiming } from '../lib/recurrence.js';
import { checkTagIds, findPlatformOfUser } from '../tags/service.js';
import * as q from './queries.js';
import { AddSessionsForm, readResources, readTiming, TIMING_FIELDS } from './schemas.js';

/** Thrown with every problem of the form at once, keyed by form field. */
export class FormError extends ValidationError {
  constructor(fields: Record<string, string>) {
    super('Some details need your attention.', fields);
  }
}

export interface ValidSessionForm {
  form: AddSessionsForm;
  timing: SeriesTiming;
  tagIds: string[];
  resources: ReturnType<typeof readResources>['resources'];
  invitees: { userId: string; role: 'tutor' | 'student' }[];
}

/**
 * Checks the whole form and reports every problem at once (FormError). `keptTagIds` are tags the
 * series already has: they stay valid after being retired.
 */
export async function validateSessionForm(db: Db, actorId: string, input: unknown, now: Date, keptTagIds: string[] = []): Promise<ValidSessionForm> {
  const parsed = AddSessionsForm.safeParse(input);
  if (!parsed.success) throw new FormError(fieldErrors(parsed.error));
  const form = parsed.data;
  const errors: Record<string, string> = {};
  const { resources, errors: resourceErrors } = readResources(form);
  Object.assign(errors, resourceErrors);
  const timing = readTiming(form);
  const timingProblems = Object.entries(checkTiming(timing));
  for (const [field, message] of timingProblems) errors[TIMING_FIELDS[field] ?? field] ??= message;
  // A session in the past could never be edited or cancelled, and its invitations would be news of nothing.
  if (timingProblems.length === 0 && !startsAfter(timing, now)) errors.startDate ??= PAST_START;
  await checkInvitees(db, form.courseId, form.tutorIds, form.studentIds, errors);
  const tagIds = unique(form.tagIds);
  try {
    await checkTagIds(db, await findPlatformOfUser(db, actorId), tagIds, { allowRetired: keptTagIds });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    errors.tagIds = err.fields.tagIds ?? err.message;
  }
  if (Object.keys(errors).length > 0) throw new FormError(errors);
  const invitees = [
    ...unique(form.tutorIds).map((userId) => ({ userId, role: 'tutor' as const })),
    ...unique(form.studentIds).filter((s) => !form.tutorIds.includes(s)).map((userId) => ({ userId, role: 'student' as const })),
  ];
  return { form, timing, tagIds, resources, invitees };
}

export const PAST_START = 'Choose a date and time that has not passed yet';

/** Whether the first session the timing gives starts after `now`. */
function startsAfter(timing: SeriesTiming, now: Date): boolean {
  const first = expandOccurrences(timing, {}, 1)[0];
  return !!first && first.start > now;
}

export function seriesFields({ form, timing }: ValidSessionForm, createdBy: string): q.NewSeries {
  return {
    courseId: form.courseId,
    createdBy,
    name: form.name,
    description: form.description,
    timeZone: timing.zone,
    startDate: timing.startDate,
    startTime: timing.startTime,
    durationMinutes: timing.durationMinutes,
    repeat: timing.repeat,
    invitedOnly: form.invitedOnly,
    meetingUrl: form.meetingUrl || null,
    autoResources: form.autoResources,
  };
}

/** Tutors must be the course's tutors or instructors; students its students. */
async function checkInvitees(db: Db, courseId: string, tutorIds: string[], studentIds: string[], errors: Record<string, string>) {
  const members = await q.listMembers(db, courseId, ['instructor', 'tutor', 'student']);
  const roleOf = new Map(members.map((m) => [m.userId, m.role]));
  if (tutorIds.some((id) => !TUTORING_ROLES.includes(roleOf.get(id) ?? 'student'))) {
    errors.tutorIds ??= 'Choose tutors from this community’s tutors';
  }
  if (studentIds.some((id) => roleOf.get(id) !== 'student')) errors.studentIds = 'Choose students from this community’s students';
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

