// What the Tutors page and the site administrators' pages (communities, site tutors, the
// role-change log) list: searched, counted and paged in the database, so a course of thousands
// costs one page of rows. Functions return flat rows.
import { and, asc, count, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { courses, memberships, roleChanges, tutorDesignations, users } from '../db/schema.js';
import type { Role } from '../lib/session-token.js';
import type { DesignationKind, RoleChangeKind, RoleSource } from './membership-queries.js';

export interface Window {
  limit: number;
  offset: number;
}

/** `%` and `_` typed in a search box are searched for, not wildcards. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const matchesPerson = (search: string): SQL | undefined => (search ? or(ilike(users.name, containing(search)), ilike(users.email, containing(search))) : undefined);

/** Who may manage a course's tutors: the asker's site and administrator flag, the course's site, the asker's role there. */
export async function findCourseAccess(db: Db, userId: string, courseId: string) {
  const rows = await db
    .select({
      userPlatformId: users.platformId,
      isAdmin: users.isAdmin,
      coursePlatformId: sql<string | null>`(select ${courses.platformId} from ${courses} where ${courses.id} = ${courseId})`,
      courseTitle: sql<string | null>`(select ${courses.title} from ${courses} where ${courses.id} = ${courseId})`,
      role: sql<Role | null>`(select m.role from ${memberships} m where m.course_id = ${courseId} and m.user_id = users.id and m.ended_at is null)`,
    })
    .from(users)
    .where(eq(users.id, userId));
  return rows[0];
}

export interface PersonRow {
  userId: string;
  name: string;
  email: string | null;
  role: Role;
  roleSource: RoleSource;
  lmsRole: Role | null;
  ltiRoles: string[];
  designations: DesignationKind[];
}

const personColumns = {
  userId: users.id,
  name: users.name,
  email: users.email,
  role: memberships.role,
  roleSource: memberships.roleSource,
  lmsRole: memberships.lmsRole,
  ltiRoles: memberships.ltiRoles,
  designations: sql<DesignationKind[]>`coalesce((select array_agg(d.kind::text order by d.kind) from ${tutorDesignations} d
    where d.course_id = memberships.course_id and d.user_id = memberships.user_id and d.ended_at is null), '{}')`,
};

/** A course's current members, by name, optionally only its tutors, matching a search of name or email. */
export async function listCoursePeople(db: Db, courseId: string, filter: { search: string; tutorsOnly: boolean }, window: Window): Promise<{ rows: PersonRow[]; total: number }> {
  const where = and(eq(memberships.courseId, courseId), isNull(memberships.endedAt), filter.tutorsOnly ? eq(memberships.role, 'tutor') : undefined, matchesPerson(filter.search));
  const [rows, [counted]] = await Promise.all([
    db
      .select(personColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(where)
      .orderBy(sql`lower(${users.name})`, asc(users.name), asc(users.id))
      .limit(window.limit)
      .offset(window.offset),
    db.select({ n: count() }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(where),
  ]);
  return { rows, total: counted?.n ?? 0 };
}

/** One current member, as a row of the Tutors page (after an action on it). */
export async function findCoursePerson(db: Db, courseId: string, userId: string): Promise<PersonRow | undefined> {
  const rows = await db
    .select(personColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.courseId, courseId), eq(memberships.userId, userId), isNull(memberships.endedAt)));
  return rows[0];
}

const tutorCount = sql<number>`(select count(*)::int from ${memberships} m where m.course_id = courses.id and m.role = 'tutor' and m.ended_at is null)`;
const peopleCount = sql<number>`(select count(*)::int from ${memberships} m where m.course_id = courses.id and m.ended_at is null)`;

/** A site's communities (courses) by title, with how many tutors and people each has. */
export async function listSiteCourses(db: Db, platformId: string, search: string, window: Window) {
  const where = and(eq(courses.platformId, platformId), search ? or(ilike(courses.title, containing(search)), ilike(courses.label, containing(search))) : undefined);
  const [rows, [counted]] = await Promise.all([
    db
      .select({ courseId: courses.id, title: courses.title, label: courses.label, tutors: tutorCount, people: peopleCount })
      .from(courses)
      .where(where)
      .orderBy(sql`lower(${courses.title})`, asc(courses.id))
      .limit(window.limit)
      .offset(window.offset),
    db.select({ n: count() }).from(courses).where(where),
  ]);
  return { rows, total: counted?.n ?? 0 };
}

/** Every community of a site, for the site tutor's choice. */
export async function listAllSiteCourses(db: Db, platformId: string) {
  return db.select({ courseId: courses.id, title: courses.title, label: courses.label }).from(courses).where(eq(courses.platformId, platformId)).orderBy(sql`lower(${courses.title})`, asc(courses.id));
}

const tutorsIn = sql`exists (select 1 from ${memberships} m where m.user_id = users.id and m.role = 'tutor' and m.ended_at is null)`;

/**
 * The site's tutors (a tutor of at least one community, by any path), by name, with the
 * communities they tutor and those they are a site tutor of.
 */
export async function listSiteTutors(db: Db, platformId: string, search: string, window: Window) {
  const where = and(eq(users.platformId, platformId), tutorsIn, matchesPerson(search));
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        tutors: sql<string[]>`coalesce((select array_agg(c.title order by lower(c.title)) from ${memberships} m join ${courses} c on c.id = m.course_id
          where m.user_id = users.id and m.role = 'tutor' and m.ended_at is null), '{}')`,
        siteCommunities: sql<string[]>`coalesce((select array_agg(c.title order by lower(c.title)) from ${tutorDesignations} d join ${courses} c on c.id = d.course_id
          where d.user_id = users.id and d.kind = 'site' and d.ended_at is null), '{}')`,
      })
      .from(users)
      .where(where)
      .orderBy(sql`lower(${users.name})`, asc(users.name), asc(users.id))
      .limit(window.limit)
      .offset(window.offset),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { rows, total: counted?.n ?? 0 };
}

/** A person of the site who tutors somewhere (null otherwise): whom a site administrator may make a site tutor. */
export async function findSiteTutor(db: Db, platformId: string, userId: string) {
  const rows = await db
    .select({ userId: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.platformId, platformId), tutorsIn));
  return rows[0];
}

const actors = alias(users, 'actor');

export interface RoleChangeEntry {
  id: number;
  at: Date;
  kind: RoleChangeKind;
  from: string;
  to: string;
  actorName: string | null;
  personName: string | null;
  courseTitle: string | null;
}

/** The site's role changes, newest first. */
export async function listRoleChanges(db: Db, platformId: string, window: Window): Promise<{ rows: RoleChangeEntry[]; total: number }> {
  const where = eq(roleChanges.platformId, platformId);
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        id: roleChanges.id,
        at: roleChanges.at,
        kind: roleChanges.kind,
        from: roleChanges.fromValue,
        to: roleChanges.toValue,
        actorName: actors.name,
        personName: users.name,
        courseTitle: courses.title,
      })
      .from(roleChanges)
      .leftJoin(actors, eq(actors.id, roleChanges.actorId))
      .leftJoin(users, eq(users.id, roleChanges.userId))
      .leftJoin(courses, eq(courses.id, roleChanges.courseId))
      .where(where)
      // The index's order (at desc nulls last, id desc nulls last): newest first, straight from it.
      .orderBy(sql`${roleChanges.at} desc nulls last`, sql`${roleChanges.id} desc nulls last`)
      .limit(window.limit)
      .offset(window.offset),
    db.select({ n: count() }).from(roleChanges).where(where),
  ]);
  return { rows, total: counted?.n ?? 0 };
}
