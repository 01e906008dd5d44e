// LTI role URIs -> TutorKit role, by the launching platform's role mapping (its defaults are
// ARCHITECTURE.md's table; a site administrator may change them, src/courses/role-rules.ts).
import { DEFAULT_ROLE_RULES, type CourseTarget, type RoleRules } from '../courses/role-rules.js';
import { parseLtiRole } from '../lib/lti-roles.js';
import type { Role } from '../lib/session-token.js';

export interface RoleMapping {
  /** The role in this course; null when the launch carries no role TutorKit knows. */
  courseRole: Exclude<Role, 'admin'> | null;
  /** Institution or system administrator: manages TutorKit site-wide. */
  isAdmin: boolean;
  /** `mapping` when the platform's own rules (or the custom parameter) gave another result than the defaults would. */
  source: 'lms' | 'mapping';
}

/** The custom parameter (LTI custom claim) that makes everyone launching through a link a tutor. */
export const CUSTOM_ROLE_PARAMETER = 'tutorkit_role';

/**
 * When a person holds several roles, a tutor role decides first: a teaching assistant is sent as
 * a sub-role of Instructor, and some LMSes add Instructor itself.
 */
const PRECEDENCE: CourseTarget[] = ['tutor', 'instructor', 'student'];

export function mapRoles(roles: readonly string[], rules: RoleRules = DEFAULT_ROLE_RULES, custom?: Record<string, unknown>): RoleMapping {
  const { courseRole, isAdmin, byCustom } = apply(roles, rules, custom);
  const asByDefault = rules === DEFAULT_ROLE_RULES || apply(roles, DEFAULT_ROLE_RULES, undefined).courseRole === courseRole;
  return { courseRole, isAdmin, source: byCustom || !asByDefault ? 'mapping' : 'lms' };
}

function apply(roles: readonly string[], rules: RoleRules, custom: Record<string, unknown> | undefined) {
  const context = new Set<CourseTarget>();
  const institution = new Set<CourseTarget>();
  let isAdmin = false;
  for (const uri of roles) {
    const role = parseLtiRole(uri);
    if (!role) continue;
    if (role.scope === 'system') isAdmin ||= role.name === 'Administrator' || role.name === 'SysAdmin';
    else if (role.scope === 'context') context.add(rules.context[role.name] ?? 'none');
    else {
      const target = rules.institution[role.name] ?? 'none';
      if (target === 'admin') isAdmin = true;
      else institution.add(target);
    }
  }
  // A course role comes from the course's roles; institution roles count only when those give none.
  const from = PRECEDENCE.some((t) => context.has(t)) ? context : institution;
  const byRoles = PRECEDENCE.find((t) => from.has(t)) as RoleMapping['courseRole'] | undefined;
  const byCustom = rules.customTutor && String(custom?.[CUSTOM_ROLE_PARAMETER] ?? '').trim().toLowerCase() === 'tutor';
  return { courseRole: byCustom ? ('tutor' as const) : (byRoles ?? null), isAdmin, byCustom };
}
