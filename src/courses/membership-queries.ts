// Memberships' roles, tutor designations and the role-change log: the rows behind "who is what in
// which course". Only src/courses/memberships.ts writes them, so the rule for a membership's role
// lives in one place. Functions return flat rows.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { courses, memberships, platforms, roleChanges, tutorDesignations, users } from '../db/schema.js';
import type { Role } from '../lib/session-token.js';

export type RoleSource = 'lms' | 'mapping' | 'designated' | 'site';
export type DesignationKind = 'course' | 'site';
export type RoleChangeKind = 'designated' | 'designation_removed' | 'left_course' | 'site_tutor' | 'mapping' | 'launch';

export interface MembershipState {
  role: Role;
  roleSource: RoleSource;
  lmsRole: Role | null;
  lmsRoleSource: RoleSource;
  endedAt: Date | null;
  /** The kinds of the person's active designations in the course. */
  designations: DesignationKind[];
}

const activeDesignations = sql<DesignationKind[]>`coalesce((select array_agg(d.kind::text order by d.kind) from ${tutorDesignations} d
  where d.course_id = memberships.course_id and d.user_id = memberships.user_id and d.ended_at is null), '{}')`;

/** A membership as it stands, with the person's active designations in the course (one query: the launch reads it). */
export async function findMembershipState(db: Db, courseId: string, userId: string): Promise<MembershipState | undefined> {
  const rows = await db
    .select({
      role: memberships.role,
      roleSource: memberships.roleSource,
      lmsRole: memberships.lmsRole,
      lmsRoleSource: memberships.lmsRoleSource,
      endedAt: memberships.endedAt,
      designations: activeDesignations,
    })
    .from(memberships)
    .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, userId)));
  return rows[0];
}

export interface LaunchMembership {
  courseId: string;
  userId: string;
  role: Role;
  roleSource: RoleSource;
  lmsRole: Role;
  lmsRoleSource: RoleSource;
  ltiRoles: string[];
  at: Date;
}

/** A launch (or the demo's roster): the LMS's role and the resulting one; a person who had left is back. */
export async function upsertLaunchMembership(db: Db, m: LaunchMembership): Promise<void> {
  const values = { role: m.role, roleSource: m.roleSource, lmsRole: m.lmsRole, lmsRoleSource: m.lmsRoleSource, ltiRoles: m.ltiRoles, lastLaunchAt: m.at };
  await db
    .insert(memberships)
    .values({ courseId: m.courseId, userId: m.userId, ...values })
    .onConflictDoUpdate({ target: [memberships.courseId, memberships.userId], set: { ...values, endedAt: null, updatedAt: m.at } });
}

/** A site tutor's place in a community they never launched from: no LMS role, tutor by the site. */
export async function insertSiteMembership(db: Db, courseId: string, userId: string, at: Date): Promise<void> {
  await db
    .insert(memberships)
    .values({ courseId, userId, role: 'tutor', roleSource: 'site', lmsRole: null, createdAt: at, updatedAt: at })
    .onConflictDoNothing();
}

/** Sets the role (and, when the person left the LMS course, forgets the LMS role); `ended` ends access. */
export async function updateMembershipRole(
  db: Db,
  m: { courseId: string; userId: string; role: Role; roleSource: RoleSource; lmsRole?: null; endedAt: Date | null; at: Date },
): Promise<void> {
  await db
    .update(memberships)
    .set({ role: m.role, roleSource: m.roleSource, ...(m.lmsRole === null ? { lmsRole: null } : {}), endedAt: m.endedAt, updatedAt: m.at })
    .where(and(eq(memberships.courseId, m.courseId), eq(memberships.userId, m.userId)));
}

export async function insertDesignation(db: Db, d: { courseId: string; userId: string; kind: DesignationKind; createdBy: string | null; at: Date }): Promise<void> {
  await db.insert(tutorDesignations).values({ courseId: d.courseId, userId: d.userId, kind: d.kind, createdBy: d.createdBy, createdAt: d.at }).onConflictDoNothing();
}

/** Ends the person's active designations of these kinds in the course; returns how many ended. */
export async function endDesignations(db: Db, d: { courseId: string; userId: string; kinds: DesignationKind[]; endedBy: string | null; at: Date }): Promise<number> {
  const rows = await db
    .update(tutorDesignations)
    .set({ endedAt: d.at, endedBy: d.endedBy })
    .where(
      and(eq(tutorDesignations.courseId, d.courseId), eq(tutorDesignations.userId, d.userId), inArray(tutorDesignations.kind, d.kinds), isNull(tutorDesignations.endedAt)),
    )
    .returning({ id: tutorDesignations.id });
  return rows.length;
}

/** The communities a person is a site tutor of, by id and title. */
export async function listSiteDesignations(db: Db, userId: string) {
  return db
    .select({ courseId: courses.id, title: courses.title })
    .from(tutorDesignations)
    .innerJoin(courses, eq(courses.id, tutorDesignations.courseId))
    .where(and(eq(tutorDesignations.userId, userId), eq(tutorDesignations.kind, 'site'), isNull(tutorDesignations.endedAt)));
}

export interface RoleChangeRow {
  platformId: string;
  courseId: string | null;
  userId: string | null;
  actorId: string | null;
  kind: RoleChangeKind;
  from: string;
  to: string;
  at: Date;
}

export async function insertRoleChange(db: Db, c: RoleChangeRow): Promise<void> {
  await db.insert(roleChanges).values({ platformId: c.platformId, courseId: c.courseId, userId: c.userId, actorId: c.actorId, kind: c.kind, fromValue: c.from, toValue: c.to, at: c.at });
}

export async function findCourse(db: Db, courseId: string) {
  const rows = await db.select({ id: courses.id, platformId: courses.platformId, title: courses.title }).from(courses).where(eq(courses.id, courseId));
  return rows[0];
}

export async function findPerson(db: Db, userId: string) {
  const rows = await db.select({ id: users.id, platformId: users.platformId, name: users.name, isAdmin: users.isAdmin }).from(users).where(eq(users.id, userId));
  return rows[0];
}

/** A platform's stored role rules (null: the defaults), by id or by the launch's issuer and client id. */
export async function findRoleRules(db: Db, platform: { id: string } | { issuer: string; clientId: string }): Promise<unknown> {
  const where = 'id' in platform ? eq(platforms.id, platform.id) : and(eq(platforms.issuer, platform.issuer), eq(platforms.clientId, platform.clientId));
  const rows = await db.select({ rules: platforms.roleRules }).from(platforms).where(where);
  return rows[0]?.rules ?? null;
}

export async function saveRoleRules(db: Db, platformId: string, rules: unknown): Promise<void> {
  await db.update(platforms).set({ roleRules: rules }).where(eq(platforms.id, platformId));
}
