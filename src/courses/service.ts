// Who is who in which course: turns a verified launch into our user, course and membership.
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import { isKnownZone } from '../lib/time.js';
import { AppError, ForbiddenError, ValidationError } from '../lib/errors.js';
import type { Role } from '../lib/session-token.js';
import * as q from './queries.js';
import { findRoleRules } from './membership-queries.js';
import { endMembership, recordLaunchRole } from './memberships.js';
import { rulesOrDefaults, type RoleRules } from './role-rules.js';

/** A launch after the LTI layer verified it, in our own words (no LTI claim names). */
export interface VerifiedLaunch {
  issuer: string;
  clientId: string;
  deploymentId: string;
  user: { sub: string; name: string; givenName: string | null; familyName: string | null; email: string | null };
  course: { contextId: string; title: string; label: string | null };
  /** The role the LMS roles give through the platform's mapping (a designation may still make a tutor). */
  role: Role;
  /** `mapping` when the platform's own rules or the custom parameter gave it; absent in launches held before this existed. */
  roleSource?: 'lms' | 'mapping';
  isAdmin: boolean;
  ltiRoles: string[];
  /** Where the LMS wants the person sent back; its origin is the LMS page that frames TutorKit. */
  returnUrl: string | null;
}

export interface LaunchOutcome {
  userId: string;
  courseId: string;
  role: Role;
  isAdmin: boolean;
}

export class UnknownDeploymentError extends AppError {
  constructor() {
    super(403, {
      title: 'TutorKit is not set up for this course',
      message: 'This course launched a TutorKit deployment that is not registered with this TutorKit server.',
      next: 'Ask your LMS administrator to register this deployment ID with TutorKit (npm run register-platform, see the README).',
    });
  }
}

/** Records the launch atomically: either user, course and membership are all stored, or nothing is. */
export async function recordLaunch(db: Db, launch: VerifiedLaunch, at: Date): Promise<LaunchOutcome> {
  return db.transaction(async (tx) => {
    const platform = await q.findPlatformByIssuer(tx, launch.issuer, launch.clientId);
    if (!platform || !(await q.isDeploymentRegistered(tx, platform.id, launch.deploymentId))) {
      throw new UnknownDeploymentError();
    }
    const userId = await q.upsertUser(tx, { platformId: platform.id, ...launch.user, isAdmin: launch.isAdmin, at });
    const courseId = await q.upsertCourse(tx, { platformId: platform.id, ...launch.course, at });
    const role = await recordLaunchRole(tx, {
      platformId: platform.id,
      courseId,
      userId,
      lmsRole: launch.role,
      lmsRoleSource: launch.roleSource ?? 'lms',
      ltiRoles: launch.ltiRoles,
      at,
    });
    const origin = originOf(launch.returnUrl);
    if (origin) await q.addFrameOrigin(tx, platform.id, origin);
    return { userId, courseId, role, isAdmin: launch.isAdmin };
  });
}

/** The roles whose members can be invited as a session's tutors (instructors may tutor too). */
export const TUTORING_ROLES: readonly Role[] = ['tutor', 'instructor'];

export interface Viewer {
  userId: string;
  name: string;
  email: string | null;
  timeZone: string | null;
  courseId: string;
  courseTitle: string;
  courseLabel: string | null;
  role: Role;
}

/** The zone a viewer reads times in: theirs, or UTC until their browser or settings give one. */
export function viewerZone(viewer: Pick<Viewer, 'timeZone'>): string {
  return viewer.timeZone && isKnownZone(viewer.timeZone) ? viewer.timeZone : 'UTC';
}

/** The person behind a session, as currently stored; a removed membership ends access. */
export async function findViewer(db: Db, userId: string, courseId: string): Promise<Viewer> {
  const viewer = await q.findViewer(db, userId, courseId);
  if (!viewer) throw new ForbiddenError('You are not a member of this course in TutorKit.');
  return viewer;
}

export async function summarizeCourse(db: Db, courseId: string): Promise<Record<Role, number>> {
  const counts: Record<Role, number> = { admin: 0, instructor: 0, tutor: 0, student: 0 };
  for (const row of await q.countMembersByRole(db, courseId)) counts[row.role] = row.count;
  return counts;
}

export interface PlatformRegistration extends q.PlatformInput {
  deploymentIds: string[];
}

/**
 * Registers an LMS (or updates it) with its deployment ids. `registerWithLti` stores what the
 * LTI library needs (the platform's key source); it runs after our rows so a failure there
 * leaves a registration that a second run completes.
 */
export async function registerPlatform(
  db: Db,
  input: PlatformRegistration,
  registerWithLti: (p: PlatformRegistration) => Promise<void>,
): Promise<string> {
  const platformId = await db.transaction(async (tx) => {
    const id = await q.upsertPlatform(tx, input);
    await q.addDeployments(tx, id, input.deploymentIds);
    return id;
  });
  await registerWithLti(input);
  return platformId;
}

/** The platform a person belongs to: their site. Site administrators manage only their own. */
export async function findPlatformOfUser(db: Db, userId: string): Promise<string> {
  const platformId = await q.findUserPlatformId(db, userId);
  if (!platformId) throw new ForbiddenError('You are not known to TutorKit. Open TutorKit again from your course.');
  return platformId;
}

/** The LMS registration a site administrator belongs to (a site is one platform). */
export async function listOwnPlatforms(db: Db, userId: string) {
  return q.listPlatforms(db, await findPlatformOfUser(db, userId));
}

/** Every origin an LMS may frame TutorKit from: issuers, auth endpoints and origins seen at launch. */
export async function listFrameOrigins(db: Db): Promise<string[]> {
  const rows = await q.listPlatformOrigins(db);
  return rows.flatMap((r) => [r.issuer, r.authEndpoint, ...r.frameOrigins]);
}

function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const { origin, protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? origin : null;
  } catch {
    return null;
  }
}

/** On a person's first page, their browser tells us their time zone (they can change it in settings). */
export async function adoptBrowserTimeZone(db: Db, userId: string, zone: unknown): Promise<boolean> {
  if (typeof zone !== 'string' || !isKnownZone(zone)) throw new ValidationError('Unknown time zone.', { zone: 'Choose a time zone from the list' });
  return q.setTimeZoneIfUnset(db, userId, zone);
}

/**
 * Every launch asks for its platform's role rules, so they are kept in memory. A change made
 * through this instance is seen at once (forget); another app instance sees it within
 * RULES_KEPT_MS, the price of not reading the platform row once more per launch.
 */
const RULES_KEPT_MS = 30_000;

function createRoleRulesCache(db: Db) {
  const kept = new Map<string, { rules: RoleRules; until: number }>();
  return {
    get: async (issuer: string, clientId: string): Promise<RoleRules> => {
      const key = `${issuer}\n${clientId}`;
      const hit = kept.get(key);
      if (hit && hit.until > Date.now()) return hit.rules;
      const rules = rulesOrDefaults(await findRoleRules(db, { issuer, clientId }));
      if (kept.size > 1000) kept.clear();
      kept.set(key, { rules, until: Date.now() + RULES_KEPT_MS });
      return rules;
    },
    forget: () => kept.clear(),
  };
}

/** The courses module as the routes and the launch use it (built once by src/services.ts). */
export function createCoursesService({ db, clock }: { db: Db; clock: Clock }) {
  const rules = createRoleRulesCache(db);
  return {
    /** The launching platform's role mapping, for the LTI layer (cached). */
    roleRulesFor: rules.get,
    /** After a site administrator changed a mapping. */
    forgetRoleRules: rules.forget,
    /** The person left the course in the LMS (roster sync calls this): their membership and tutor role here end, now. */
    endMembership: (courseId: string, userId: string) => endMembership(db, courseId, userId, clock.now()),
    recordLaunch: (launch: VerifiedLaunch, at: Date) => recordLaunch(db, launch, at),
    findViewer: (userId: string, courseId: string) => findViewer(db, userId, courseId),
    summarizeCourse: (courseId: string) => summarizeCourse(db, courseId),
    adoptBrowserTimeZone: (userId: string, zone: unknown) => adoptBrowserTimeZone(db, userId, zone),
    listOwnPlatforms: (userId: string) => listOwnPlatforms(db, userId),
    listFrameOrigins: () => listFrameOrigins(db),
  };
}

export type CoursesService = ReturnType<typeof createCoursesService>;
