// Reads the id_token that ltijs verified and turns it into a VerifiedLaunch in our own words.
import type { VerifiedLaunch } from '../courses/service.js';
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
    messageType?: string;
    deepLinkingSettings?: { deep_link_return_url?: string };
    launchPresentation?: { return_url?: string };
  };
}

export function toVerifiedLaunch(token: LtiToken): VerifiedLaunch {
  const ctx = token.platformContext;
  const context = ctx?.context;
  if (!context?.id) throw launchErrors.noCourse();
  const ltiRoles = ctx?.roles ?? [];
  const { courseRole, isAdmin } = mapRoles(ltiRoles);
  if (!courseRole && !isAdmin) throw launchErrors.unknownRole();
  const info = token.userInfo ?? {};
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
      title: context.title || context.label || 'Untitled course',
      label: context.label || null,
    },
    role: courseRole ?? 'admin',
    isAdmin,
    ltiRoles,
    returnUrl: ctx?.launchPresentation?.return_url ?? null,
  };
}

/** LMSes with strict privacy settings may send no name at all. */
function displayName(info: NonNullable<LtiToken['userInfo']>): string {
  const joined = [info.given_name, info.family_name].filter(Boolean).join(' ');
  return info.name || joined || 'Course participant';
}
