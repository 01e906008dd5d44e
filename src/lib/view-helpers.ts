// The formatting views share, registered once on the app (app.locals): views decide nothing, they
// call these. Each is plain words for people; nothing here reads data.
import { roleNameWords } from './lti-roles.js';
import { localTimeOf, stampUtc, zoneLabel } from './time.js';

const ROLE_LABELS: Record<string, string> = { admin: 'Administrator', instructor: 'Instructor', tutor: 'Tutor', student: 'Student' };

/** Where a TutorKit role came from (memberships.role_source), as the Tutors page says it. */
const ROLE_SOURCE_LABELS: Record<string, string> = {
  lms: 'from the LMS role',
  mapping: 'by the site’s role mapping',
  designated: 'made a tutor in TutorKit',
  site: 'site tutor',
};

/** What the role-change log calls each kind of change. */
const ROLE_CHANGE_LABELS: Record<string, string> = {
  designated: 'Made a tutor',
  designation_removed: 'Tutor role taken back',
  left_course: 'Left the course',
  site_tutor: 'Site tutor communities',
  mapping: 'Role mapping',
  launch: 'Role changed at launch',
};

const EDIT_SCOPE_LABELS: Record<string, string> = { this: 'this session only', following: 'this and the following sessions', all: 'all sessions still to come' };

const WEEKDAY_NAMES: Record<string, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

export const viewHelpers = {
  /** "America/New York". */
  zoneLabel,
  /** "16:02": an instant on the wall clock of `zone`. */
  clockTime: (instant: Date | string, zone: string): string => localTimeOf(new Date(instant), zone),
  /** "2027-03-01 09:00:05 UTC", for operators' logs. */
  stampUtc,
  /** "Instructor", "Tutor", ... */
  roleLabel: (role: string): string => ROLE_LABELS[role] ?? role,
  /** "from the LMS role", "made a tutor in TutorKit", ... */
  roleSourceLabel: (source: string): string => ROLE_SOURCE_LABELS[source] ?? source,
  /** An LTI role's name in words: "Teaching assistant" for TeachingAssistant. */
  ltiRoleWords: roleNameWords,
  /** "Made a tutor", "Role mapping", ... */
  roleChangeLabel: (kind: string): string => ROLE_CHANGE_LABELS[kind] ?? kind,
  /** A path with a query string of the non-empty values: `withQuery('/x', { q: 'a', page: 2 })` is "/x?q=a&page=2". */
  withQuery: (path: string, params: Record<string, string | number | null | undefined>): string => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') query.set(name, String(value));
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  },
  /** "Tuesday" for TU. */
  weekdayName: (day: string): string => WEEKDAY_NAMES[day] ?? day,
  /** The sessions an edit changes, in words. */
  editScopeLabel: (scope: string): string => EDIT_SCOPE_LABELS[scope] ?? scope,
  /** "1 session", "3 sessions"; `many` defaults to `one` + "s". */
  plural: (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`,
  /** "45 minutes", "1 hour", "2 hours", "90 minutes". */
  duration: (minutes: number): string => {
    if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
    return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  },
  /** ` aria-current="page"` on the navigation link of the page being shown. */
  currentAttr: (current: unknown, name: string): string => (current === name ? ' aria-current="page"' : ''),
  /** Form rows to show: what was typed plus one blank row to add another. */
  rowsWithBlank: (...columns: unknown[][]): number => Math.max(0, ...columns.map((c) => c.length)) + 1,
  /** ` aria-invalid="true" aria-describedby="<field>-error"` for a field with an error. */
  invalidAttrs: (errors: Record<string, string> | undefined, field: string): string => (errors?.[field] ? ` aria-invalid="true" aria-describedby="${field}-error"` : ''),
};

export type ViewHelpers = typeof viewHelpers;
