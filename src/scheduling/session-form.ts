// The Add sessions / Edit session form as the page shows it: the values (blank, as stored, or as
// submitted), the choices it offers (communities, tags, tutors, students, zones) and, after a
// refused save, the errors and conflicts. One set of defaults serves the blank form and the edit.
import type { Db } from '../db/client.js';
import type { Viewer } from '../courses/service.js';
import { WEEKDAYS, expandOccurrences, timingOf, type SeriesTiming } from '../lib/recurrence.js';
import { ZONES, localDateOf, localTimeOf } from '../lib/time.js';
import { findPlatformOfUser, listTags } from '../tags/service.js';
import type { PersonConflicts } from '../availability/conflicts.js';
import * as q from './queries.js';
import type { EditScope } from './editing.js';
import { SCHEDULING_ROLES } from './service.js';

export interface SessionFormValues {
  name: string;
  description: string;
  courseId: string;
  tagIds: string[];
  resourceTitle: string[];
  resourceUrl: string[];
  exitTitle: string[];
  exitUrl: string[];
  autoResources: boolean;
  startDate: string;
  startTime: string;
  zone: string;
  lengthValue: string;
  lengthUnit: string;
  repeat: string;
  interval: string;
  weekdays: string[];
  monthlyBy: string;
  endType: string;
  until: string;
  count: string;
  tutorIds: string[];
  studentIds: string[];
  invitedOnly: boolean;
  meetingUrl: string;
}

/** What a form starts with when nothing says otherwise: a one-hour session at 16:00, ten times if it repeats. */
const DEFAULTS = {
  startTime: '16:00',
  lengthValue: '60',
  lengthUnit: 'minutes',
  repeat: 'none',
  interval: '1',
  monthlyBy: 'monthday',
  endType: 'count',
  count: '10',
} as const;

/** The conflict alert's locals after a save stopped at conflicts (see _conflicts.ejs). */
export interface ConflictAlert {
  groups: PersonConflicts[];
  fingerprint: string;
  blocking: boolean;
  confirmed: boolean;
}

export interface SessionFormView {
  title: string;
  action: string;
  edit: { occurrenceId: string; scope: EditScope | null } | null;
  values: SessionFormValues;
  errors: Record<string, string>;
  conflicts: ConflictAlert | null;
  options: Awaited<ReturnType<typeof loadFormOptions>>;
  tagGroups: Awaited<ReturnType<typeof listTags>>;
  zones: readonly string[];
  weekdays: readonly string[];
}

/**
 * The form for a viewer: `values` as submitted (or stored, for an edit), missing ones from the
 * defaults; `refused` the errors and conflicts of a save that did not happen.
 */
export async function loadSessionForm(
  db: Db,
  viewer: Viewer,
  input: { values?: Record<string, unknown>; edit?: SessionFormView['edit']; errors?: Record<string, string>; conflicts?: ConflictAlert | null },
): Promise<SessionFormView> {
  const [options, tagGroups] = await Promise.all([loadFormOptions(db, viewer, input.values?.courseId), findPlatformOfUser(db, viewer.userId).then((platformId) => listTags(db, platformId, { includeRetired: false }))]);
  const edit = input.edit ?? null;
  return {
    title: edit ? 'Edit session' : 'Add sessions',
    action: edit ? `/c/${viewer.courseId}/sessions/${edit.occurrenceId}/edit` : `/c/${viewer.courseId}/sessions`,
    edit,
    values: formValues(input.values ?? {}, viewer, options.timeZone),
    errors: input.errors ?? {},
    conflicts: input.conflicts ?? null,
    options,
    tagGroups,
    zones: ZONES,
    weekdays: WEEKDAYS,
  };
}

/**
 * What the form offers: exactly the communities the person may schedule in (their courses as a
 * tutor, instructor or administrator, and the communities a site administrator made them a site
 * tutor of), and the chosen one's tutors and students.
 */
async function loadFormOptions(db: Db, viewer: Viewer, asked: unknown) {
  const communities = await q.listSchedulingCourses(db, viewer.userId, SCHEDULING_ROLES);
  const chosen = communities.find((c) => c.courseId === asked)?.courseId ?? viewer.courseId;
  const [tutors, students] = await Promise.all([q.listMembers(db, chosen, ['tutor', 'instructor']), q.listMembers(db, chosen, ['student'])]);
  return { communities, tutors, students, timeZone: viewer.timeZone };
}

/** Submitted or stored values as the template reads them; what is missing comes from the defaults. */
function formValues(values: Record<string, unknown>, viewer: Viewer, zone: string | null): SessionFormValues {
  const many = (v: unknown) => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
  const one = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
  const tutorIds = many(values.tutorIds);
  return {
    name: one(values.name),
    description: one(values.description),
    courseId: one(values.courseId, viewer.courseId),
    tagIds: many(values.tagIds),
    resourceTitle: many(values.resourceTitle),
    resourceUrl: many(values.resourceUrl),
    exitTitle: many(values.exitTitle),
    exitUrl: many(values.exitUrl),
    autoResources: values.autoResources === 'on',
    startDate: one(values.startDate),
    startTime: one(values.startTime, DEFAULTS.startTime),
    zone: one(values.zone, zone ?? 'UTC'),
    lengthValue: one(values.lengthValue, DEFAULTS.lengthValue),
    lengthUnit: one(values.lengthUnit, DEFAULTS.lengthUnit),
    repeat: one(values.repeat, DEFAULTS.repeat),
    interval: one(values.interval, DEFAULTS.interval),
    weekdays: many(values.weekdays),
    monthlyBy: one(values.monthlyBy, DEFAULTS.monthlyBy),
    endType: one(values.endType, DEFAULTS.endType),
    until: one(values.until),
    count: one(values.count, DEFAULTS.count),
    // A tutor schedules their own sessions, so a blank form starts with them chosen.
    tutorIds: tutorIds.length > 0 ? tutorIds : viewer.role === 'tutor' ? [viewer.userId] : [],
    studentIds: many(values.studentIds),
    invitedOnly: values.invitedOnly === 'on',
    meetingUrl: one(values.meetingUrl),
  };
}

/**
 * The edit form's starting values for a scope, in the shape the form posts: what the series holds
 * from `anchor` (the occurrence edited, or the first one still to come); a rule's own fields only
 * where the series repeats, the rest from the defaults.
 */
export async function loadEditValues(db: Db, found: { occurrence: { startsAt: Date }; series: q.SeriesRow }, scope: EditScope, anchor: { startsAt: Date }): Promise<Record<string, unknown>> {
  const { occurrence, series } = found;
  const [tagIds, resources, invitees] = await Promise.all([q.listSeriesTagIds(db, series.id), q.listSeriesResources(db, series.id), q.listSeriesInvitees(db, series.id)]);
  const timing: SeriesTiming = timingOf(series);
  const rule = timing.repeat;
  const anchorDate = localDateOf(anchor.startsAt, series.timeZone);
  const minutes = series.durationMinutes;
  const pick = (kind: 'before' | 'exit', field: 'title' | 'url') => resources.filter((r) => r.kind === kind).map((r) => r[field]);
  const values: Record<string, unknown> = {
    name: series.name,
    description: series.description,
    courseId: series.courseId,
    tagIds,
    resourceTitle: pick('before', 'title'),
    resourceUrl: pick('before', 'url'),
    exitTitle: pick('exit', 'title'),
    exitUrl: pick('exit', 'url'),
    autoResources: series.autoResources ? 'on' : '',
    startDate: anchorDate,
    startTime: scope === 'this' ? localTimeOf(occurrence.startsAt, series.timeZone) : timing.startTime,
    zone: series.timeZone,
    lengthValue: String(minutes % 60 === 0 ? minutes / 60 : minutes),
    lengthUnit: minutes % 60 === 0 ? 'hours' : 'minutes',
    repeat: scope === 'this' ? 'none' : rule.freq,
    tutorIds: invitees.filter((i) => i.role === 'tutor').map((i) => i.userId),
    studentIds: invitees.filter((i) => i.role === 'student').map((i) => i.userId),
    invitedOnly: series.invitedOnly ? 'on' : '',
    meetingUrl: series.meetingUrl ?? '',
  };
  if (rule.freq === 'none') return values;
  const remaining = expandOccurrences(timing).filter((o) => o.localDate >= anchorDate && !series.excludedDates.includes(o.localDate)).length;
  return {
    ...values,
    interval: String(rule.interval),
    weekdays: rule.freq === 'weekly' ? rule.weekdays : [],
    monthlyBy: rule.freq === 'monthly' ? rule.by : DEFAULTS.monthlyBy,
    endType: rule.end.type,
    until: rule.end.type === 'until' ? rule.end.date : '',
    count: rule.end.type === 'count' ? String(remaining) : DEFAULTS.count,
  };
}
