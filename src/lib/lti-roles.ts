// LTI role URIs (the LIS v2 vocabulary of LTI 1.3) read as a scope and a name, and said in words.
// Generic: the launch maps them (src/lti/roles.ts) and pages show them (the Tutors page).

export type LtiRoleScope = 'context' | 'institution' | 'system';

export interface LtiRoleName {
  scope: LtiRoleScope;
  /** The role's own name: `Instructor`, `TeachingAssistant` (a sub-role keeps its own name), `Student`. */
  name: string;
}

const VOCAB = 'http://purl.imsglobal.org/vocab/lis/v2';
const CONTEXT = `${VOCAB}/membership`;
const INSTITUTION = `${VOCAB}/institution/person#`;
const SYSTEM = `${VOCAB}/system/person#`;

/**
 * A role URI as scope and name: `...membership#Instructor`, the sub-role
 * `...membership/Instructor#TeachingAssistant`, the deprecated short form `Learner`,
 * `...institution/person#Student`, `...system/person#Administrator`. Anything else is null.
 */
export function parseLtiRole(uri: string): LtiRoleName | null {
  if (uri.startsWith(`${CONTEXT}#`)) return named('context', uri.slice(CONTEXT.length + 1));
  if (uri.startsWith(`${CONTEXT}/`)) return named('context', uri.slice(uri.indexOf('#') + 1));
  if (uri.startsWith(INSTITUTION)) return named('institution', uri.slice(INSTITUTION.length));
  if (uri.startsWith(SYSTEM)) return named('system', uri.slice(SYSTEM.length));
  if (!uri.includes(':') && !uri.includes('/') && !uri.includes('#')) return named('context', uri);
  return null;
}

function named(scope: LtiRoleScope, name: string): LtiRoleName | null {
  return /^[A-Za-z]+$/.test(name) ? { scope, name } : null;
}

/** "TeachingAssistant" -> "Teaching assistant". */
export function roleNameWords(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A role URI as a person reads it: "Instructor", "Teaching assistant", "Student (institution)". */
export function ltiRoleLabel(uri: string): string {
  const role = parseLtiRole(uri);
  if (!role) return uri;
  const words = roleNameWords(role.name);
  return role.scope === 'context' ? words : `${words} (${role.scope})`;
}
