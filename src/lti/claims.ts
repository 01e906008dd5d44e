// Reads the id_token that ltijs verified and turns it into a VerifiedLaunch in our own words.
import type { RoleRules } from '../courses/role-rules.js';
import type { VerifiedLaunch } from '../courses/service.js';
import { withoutControls } from '../lib/forms.js';
import { launchErrors } from './errors.js';
import { mapRoles } from './roles.js';

/** The shape ltijs hands to onConnect: the stored idtoken plus its context token. */
export interface LtiToken {
  iss: string;
  user: string;
  clientId: string;
  deploymentId: string;
  userInfo?: { given_name?: string; family_name?: string; name?: string; email?: string };
  platformContext?: {
    /** ltijs's key for this launch's context token. */
    contextId?: string;
    context?: { id?: string; label?: string; title?: string };
    resource?: { id?: string; title?: string };
    roles?: string[];
    /** The LTI custom claim: parameters the LMS link was set up with (tutorkit_role=tutor). */
    custom?: Record<string, unknown>;
    messageType?: string;
    deepLinkingSettings?: { deep_link_return_url?: string };
    launchPresentation?: { return_url?: string };
  };
}

/** The launch in our words, its roles mapped by the platform's rules (the defaults unless given). */
export function toVerifiedLaunch(token: LtiToken, rules?: RoleRules): VerifiedLaunch {
  const ctx = token.platformContext;
  const context = ctx?.context;
  if (!context?.id) throw launchErrors.noCourse();
  const ltiRoles = ctx?.roles ?? [];
  const custom = ctx?.custom && typeof ctx.custom === 'object' ? ctx.custom : undefined;
  const { courseRole, isAdmin, source } = mapRoles(ltiRoles, rules, custom);
  if (!courseRole && !isAdmin) throw launchErrors.unknownRole();
  const info = cleanClaims(token.userInfo ?? {});
  return {
    issuer: token.iss,
    clientId: token.clientId,
    deploymentId: token.deploymentId,
    user: {
      sub: token.user,
      name: displayName(info),
      givenName: info.given_name || null,
      familyName: info.family_name || null,
      email: info.email || null,
    },
    course: {
      contextId: context.id,
      title: clean(context.title) || clean(context.label) || 'Untitled course',
      label: clean(context.label) || null,
    },
    role: courseRole ?? 'admin',
    roleSource: source,
    isAdmin,
    ltiRoles,
    returnUrl: ctx?.launchPresentation?.return_url ?? null,
  };
}

/**
 * Names, email and course titles travel into pages, emails and calendar files: a control character
 * from an LMS (a stray NUL or line break) is replaced, not stored. An email address with anything
 * but printable characters is no address at all.
 */
function cleanClaims(info: NonNullable<LtiToken['userInfo']>): NonNullable<LtiToken['userInfo']> {
  const email = info.email && /^[^\u0000-\u0020\u007f<>@]+@[^\u0000-\u0020\u007f<>@]+$/.test(info.email) ? info.email : undefined;
  return { name: clean(info.name), given_name: clean(info.given_name), family_name: clean(info.family_name), email };
}

function clean(value: unknown): string | undefined {
  return typeof value === 'string' ? withoutControls(value) || undefined : undefined;
}

/** LMSes with strict privacy settings may send no name at all. */
function displayName(info: NonNullable<LtiToken['userInfo']>): string {
  const joined = [info.given_name, info.family_name].filter(Boolean).join(' ');
  return info.name || joined || 'Course participant';
}
