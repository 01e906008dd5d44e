// A platform's role mapping: which LMS roles become which TutorKit role, and whether the custom
// parameter tutorkit_role=tutor makes a tutor. The defaults are ARCHITECTURE.md's table; a site
// administrator changes them per platform (Site settings -> Role mapping).
import { z } from 'zod';
import { checkbox } from '../lib/forms.js';
import { roleNameWords } from '../lib/lti-roles.js';

/** Context (course) roles a site administrator can map, in the order the page lists them. */
export const CONTEXT_ROLE_NAMES = ['Instructor', 'TeachingAssistant', 'Mentor', 'ContentDeveloper', 'Administrator', 'Learner', 'Member', 'Manager', 'Officer'] as const;
/** Institution roles a site administrator can map. System Administrator and SysAdmin are always administrators. */
export const INSTITUTION_ROLE_NAMES = ['Administrator', 'Faculty', 'Instructor', 'Staff', 'Mentor', 'Student', 'Learner', 'Member', 'Alumni', 'Guest', 'Observer', 'ProspectiveStudent', 'Other'] as const;

export const COURSE_TARGETS = ['instructor', 'tutor', 'student', 'none'] as const;
export const INSTITUTION_TARGETS = ['admin', ...COURSE_TARGETS] as const;
export type CourseTarget = (typeof COURSE_TARGETS)[number];
export type InstitutionTarget = (typeof INSTITUTION_TARGETS)[number];

export interface RoleRules {
  context: Record<string, CourseTarget>;
  institution: Record<string, InstitutionTarget>;
  /** The custom parameter tutorkit_role=tutor (set on an LMS link) makes everyone launching through it a tutor. */
  customTutor: boolean;
}

const CONTEXT_DEFAULTS: Record<string, CourseTarget> = {
  Instructor: 'instructor',
  ContentDeveloper: 'instructor',
  Administrator: 'instructor',
  TeachingAssistant: 'tutor',
  Mentor: 'tutor',
  Learner: 'student',
};

export const DEFAULT_ROLE_RULES: Readonly<RoleRules> = Object.freeze({
  context: Object.fromEntries(CONTEXT_ROLE_NAMES.map((n) => [n, CONTEXT_DEFAULTS[n] ?? 'none'])),
  institution: Object.fromEntries(INSTITUTION_ROLE_NAMES.map((n): [string, InstitutionTarget] => [n, n === 'Administrator' ? 'admin' : 'none'])),
  customTutor: true,
});

/** The rules as stored (null: the defaults); a role the stored rules do not name keeps its default. */
export function rulesOrDefaults(stored: unknown): RoleRules {
  if (!stored || typeof stored !== 'object') return DEFAULT_ROLE_RULES;
  const s = stored as Partial<RoleRules>;
  const pick = <T extends string>(names: readonly string[], from: Record<string, unknown> | undefined, allowed: readonly T[], defaults: Record<string, T>) =>
    Object.fromEntries(names.map((n) => [n, allowed.includes(from?.[n] as T) ? (from![n] as T) : defaults[n]!]));
  return {
    context: pick(CONTEXT_ROLE_NAMES, s.context, COURSE_TARGETS, DEFAULT_ROLE_RULES.context),
    institution: pick(INSTITUTION_ROLE_NAMES, s.institution, INSTITUTION_TARGETS, DEFAULT_ROLE_RULES.institution),
    customTutor: typeof s.customTutor === 'boolean' ? s.customTutor : DEFAULT_ROLE_RULES.customTutor,
  };
}

/** The Role mapping form's field for a role: `context.Instructor`, `institution.Faculty`. */
export const ruleField = (scope: 'context' | 'institution', name: string) => `${scope}.${name}`;

const targetOf = <T extends string>(allowed: readonly T[], label: string) =>
  z.enum(allowed as unknown as [T, ...T[]], { error: `${label}: choose one of the TutorKit roles offered.` });

/** The Role mapping form: one choice per role, and the custom-parameter checkbox. */
export const RoleRulesForm = z
  .object({
    ...Object.fromEntries(CONTEXT_ROLE_NAMES.map((n) => [ruleField('context', n), targetOf(COURSE_TARGETS, roleNameWords(n))])),
    ...Object.fromEntries(INSTITUTION_ROLE_NAMES.map((n) => [ruleField('institution', n), targetOf(INSTITUTION_TARGETS, `${roleNameWords(n)} (institution)`)])),
    customTutor: checkbox,
  })
  .transform((form): RoleRules => {
    const values = form as Record<string, string | boolean>;
    return {
      context: Object.fromEntries(CONTEXT_ROLE_NAMES.map((n) => [n, values[ruleField('context', n)] as CourseTarget])),
      institution: Object.fromEntries(INSTITUTION_ROLE_NAMES.map((n) => [n, values[ruleField('institution', n)] as InstitutionTarget])),
      customTutor: form.customTutor,
    };
  });

/** What changed between two sets of rules, as the role-change log shows it: "Instructor: instructor". */
export function describeRuleChanges(before: RoleRules, after: RoleRules): { from: string; to: string } | null {
  const from: string[] = [];
  const to: string[] = [];
  const compare = (scope: 'context' | 'institution', names: readonly string[]) => {
    for (const n of names) {
      const a = before[scope][n];
      const b = after[scope][n];
      if (a === b) continue;
      const label = scope === 'context' ? roleNameWords(n) : `${roleNameWords(n)} (institution)`;
      from.push(`${label}: ${a}`);
      to.push(`${label}: ${b}`);
    }
  };
  compare('context', CONTEXT_ROLE_NAMES);
  compare('institution', INSTITUTION_ROLE_NAMES);
  if (before.customTutor !== after.customTutor) {
    from.push(`tutorkit_role=tutor: ${before.customTutor ? 'honoured' : 'ignored'}`);
    to.push(`tutorkit_role=tutor: ${after.customTutor ? 'honoured' : 'ignored'}`);
  }
  return from.length > 0 ? { from: from.join('; '), to: to.join('; ') } : null;
}
