// LTI role URIs -> TutorKit role, as decided in ARCHITECTURE.md.
import type { Role } from '../lib/session-token.js';

export interface RoleMapping {
  /** The role in this course; null when the launch carries no role TutorKit knows. */
  courseRole: Exclude<Role, 'admin'> | null;
  /** Institution or system administrator: manages TutorKit site-wide. */
  isAdmin: boolean;
}

const CONTEXT = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

/** A context role, in full (`...membership#Instructor`, `...membership/Instructor#TeachingAssistant`) or the deprecated short form. */
function contextRoleName(uri: string): string | null {
  if (uri.startsWith(CONTEXT + '#')) return uri.slice(CONTEXT.length + 1);
  if (uri.startsWith(CONTEXT + '/')) return uri.slice(uri.indexOf('#') + 1); // sub-role
  if (!uri.includes(':') && !uri.includes('/')) return uri; // short form, e.g. "Learner"
  return null;
}

export function mapRoles(roles: readonly string[]): RoleMapping {
  const names = new Set(roles.map(contextRoleName).filter((n): n is string => n !== null));
  const isAdmin = roles.some((r) => r === `${INSTITUTION}#Administrator` || r === `${SYSTEM}#Administrator` || r === `${SYSTEM}#SysAdmin`);
  // A teaching assistant is sent as a sub-role of Instructor (and some LMSes add Instructor
  // itself), so the sub-role decides before the plain Instructor role does.
  let courseRole: RoleMapping['courseRole'] = null;
  if (names.has('TeachingAssistant') || names.has('Mentor')) courseRole = 'tutor';
  else if (names.has('Instructor') || names.has('ContentDeveloper') || names.has('Administrator')) courseRole = 'instructor';
  else if (names.has('Learner')) courseRole = 'student';
  return { courseRole, isAdmin };
}
