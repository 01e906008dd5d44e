// Memberships' roles, tutor designations and the role-change log: the rows behind "who is what in
// which course". Only src/courses/memberships.ts writes them, so the rule for a membership's role
// lives in one place. Functions return flat rows.
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
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

/**
 * The one rule for a membership's role. `kind` is the person's active designation in the course,
 * if any ('course' sorts before 'site'): a designation makes a tutor, whatever the LMS says;
 * otherwise the LMS's role; with neither, the membership has ended.
 */
function roleRule(kind: SQL, lms: { role: SQL; source: SQL }) {
  return {
    role: sql<Role | null>`(case when ${kind} is not null then 'tutor' else ${lms.role} end)::tutorkit_role`,
    roleSource: sql<RoleSource>`(case ${kind} when 'course' then 'designated' when 'site' then 'site' else ${lms.source}::text end)::role_source`,
    ended: sql<boolean>`(${kind} is null and ${lms.role} is null)`,
  };
}

const activeKind = (courseId: string, userId: string) =>
  sql`(select min(d.kind::text) from ${tutorDesignations} d where d.course_id = ${courseId} and d.user_id = ${userId} and d.ended_at is null)`;

export interface LaunchMembership {
  courseId: string;
  userId: string;
  lmsRole: Role;
  lmsRoleSource: RoleSource;
  ltiRoles: string[];
  at: Date;
}

/**
 * A launch (or the demo's roster): stores the LMS's role and the resulting role, and returns the
 * role before (null for a first launch), in one statement: every launch runs it, so it must cost
 * about what the plain upsert did. It reads no designation: a membership's role source is
 * `designated` or `site` exactly while a designation is active (settleMembership keeps it so after
 * every change of designations), and then the role stays a tutor whatever the LMS says. Written in
 * SQL because Drizzle's builder cannot say it in one statement.
 */
export async function upsertLaunchMembership(db: Db, l: LaunchMembership): Promise<{ role: Role; before: Role | null; beforeEnded: boolean | null }> {
  const result = await db.execute(sql`
    with prev as (select role, ended_at from ${memberships} where course_id = ${l.courseId} and user_id = ${l.userId})
    insert into ${memberships} as memberships (course_id, user_id, role, role_source, lms_role, lms_role_source, lti_roles, last_launch_at)
    values (${l.courseId}, ${l.userId}, ${l.lmsRole}, ${l.lmsRoleSource}, ${l.lmsRole}, ${l.lmsRoleSource}, ${sql.param(l.ltiRoles)}::text[], ${l.at.toISOString()}::timestamptz)
    on conflict (course_id, user_id) do update set
      role = case when memberships.role_source in ('designated', 'site') then memberships.role else excluded.role end,
      role_source = case when memberships.role_source in ('designated', 'site') then memberships.role_source else excluded.role_source end,
      lms_role = excluded.lms_role, lms_role_source = excluded.lms_role_source, lti_roles = excluded.lti_roles,
      last_launch_at = excluded.last_launch_at, ended_at = null, updated_at = excluded.last_launch_at
    returning role, (select role from prev) as before, (select ended_at is not null from prev) as before_ended`);
  const row = (result as unknown as { rows: { role: Role; before: Role | null; before_ended: boolean | null }[] }).rows[0]!;
  return { role: row.role, before: row.before, beforeEnded: row.before_ended };
}

/**
 * Applies the rule again after designations changed (or, `leftLms`, after the person left the LMS
 * course); returns the role now, or null when the membership has ended.
 */
export async function settleMembership(db: Db, m: { courseId: string; userId: string; leftLms: boolean; at: Date }): Promise<Role | null> {
  const lmsRole = m.leftLms ? sql`null::tutorkit_role` : sql`memberships.lms_role`;
  const rule = roleRule(activeKind(m.courseId, m.userId), { role: lmsRole, source: sql`memberships.lms_role_source` });
  const [row] = await db
    .update(memberships)
    .set({
      // An ended membership keeps the role it had, for history.
      role: sql`coalesce(${rule.role}, memberships.role)`,
      roleSource: rule.roleSource,
      ...(m.leftLms ? { lmsRole: null } : {}),
      endedAt: sql`case when ${rule.ended} then ${m.at.toISOString()}::timestamptz end`,
      updatedAt: m.at,
    })
    .where(and(eq(memberships.courseId, m.courseId), eq(memberships.userId, m.userId)))
    .returning({ role: memberships.role, endedAt: memberships.endedAt });
  return row && !row.endedAt ? row.role : null;
}

/** A site tutor's place in a community they never launched from: no LMS role, tutor by the site. */
export async function insertSiteMembership(db: Db, courseId: string, userId: string, at: Date): Promise<void> {
  await db
    .insert(memberships)
    .values({ courseId, userId, role: 'tutor', roleSource: 'site', lmsRole: null, createdAt: at, updatedAt: at })
    .onConflictDoNothing();
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
