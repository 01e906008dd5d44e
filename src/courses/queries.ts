// The only place the courses module touches Drizzle. Functions return flat rows.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { courses, deployments, memberships, platforms, users } from '../db/schema.js';

export async function findPlatformByIssuer(db: Db, issuer: string, clientId: string) {
  const rows = await db
    .select({ id: platforms.id, name: platforms.name })
    .from(platforms)
    .where(and(eq(platforms.issuer, issuer), eq(platforms.clientId, clientId)));
  return rows[0];
}

export async function isDeploymentRegistered(db: Db, platformId: string, deploymentId: string): Promise<boolean> {
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(deployments)
    .where(and(eq(deployments.platformId, platformId), eq(deployments.deploymentId, deploymentId)));
  return rows.length > 0;
}

export interface UserInput {
  platformId: string;
  sub: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  isAdmin: boolean;
  at: Date;
}

export async function upsertUser(db: Db, u: UserInput): Promise<string> {
  const [row] = await db
    .insert(users)
    .values({ ...u, lastLaunchAt: u.at })
    .onConflictDoUpdate({
      target: [users.platformId, users.sub],
      // The LMS is the source of truth for names and email; a missing claim keeps what we had.
      set: {
        name: u.name,
        givenName: sql`coalesce(${u.givenName}, ${users.givenName})`,
        familyName: sql`coalesce(${u.familyName}, ${users.familyName})`,
        email: sql`coalesce(${u.email}, ${users.email})`,
        isAdmin: u.isAdmin,
        lastLaunchAt: u.at,
        updatedAt: u.at,
      },
    })
    .returning({ id: users.id });
  return row!.id;
}

export async function upsertCourse(db: Db, c: { platformId: string; contextId: string; title: string; label: string | null; at: Date }): Promise<string> {
  const [row] = await db
    .insert(courses)
    .values({ platformId: c.platformId, contextId: c.contextId, title: c.title, label: c.label })
    .onConflictDoUpdate({
      target: [courses.platformId, courses.contextId],
      set: { title: c.title, label: sql`coalesce(${c.label}, ${courses.label})`, updatedAt: c.at },
    })
    .returning({ id: courses.id });
  return row!.id;
}

/** What the page shell shows: who you are, in which course, as what. */
export async function findViewer(db: Db, userId: string, courseId: string) {
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      timeZone: users.timeZone,
      courseId: courses.id,
      courseTitle: courses.title,
      courseLabel: courses.label,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(courses, eq(courses.id, memberships.courseId))
    .where(and(eq(memberships.userId, userId), eq(memberships.courseId, courseId), isNull(memberships.endedAt)));
  return rows[0];
}

export async function countMembersByRole(db: Db, courseId: string) {
  return db
    .select({ role: memberships.role, count: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.courseId, courseId), isNull(memberships.endedAt)))
    .groupBy(memberships.role);
}

export interface PlatformInput {
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  keysetUrl: string | null;
  isDemo: boolean;
}

export async function upsertPlatform(db: Db, p: PlatformInput): Promise<string> {
  const [row] = await db
    .insert(platforms)
    .values(p)
    .onConflictDoUpdate({
      target: [platforms.issuer, platforms.clientId],
      set: { name: p.name, authEndpoint: p.authEndpoint, tokenEndpoint: p.tokenEndpoint, keysetUrl: p.keysetUrl, isDemo: p.isDemo },
    })
    .returning({ id: platforms.id });
  return row!.id;
}

export async function addDeployments(db: Db, platformId: string, deploymentIds: string[]) {
  if (deploymentIds.length === 0) return;
  await db
    .insert(deployments)
    .values(deploymentIds.map((deploymentId) => ({ platformId, deploymentId })))
    .onConflictDoNothing();
}

export async function listPlatforms(db: Db, platformId: string) {
  return db
    .select({
      id: platforms.id,
      name: platforms.name,
      issuer: platforms.issuer,
      clientId: platforms.clientId,
      isDemo: platforms.isDemo,
      deploymentIds: sql<string[]>`coalesce(array_agg(${deployments.deploymentId} order by ${deployments.deploymentId}) filter (where ${deployments.deploymentId} is not null), '{}')`,
    })
    .from(platforms)
    .leftJoin(deployments, eq(deployments.platformId, platforms.id))
    .where(eq(platforms.id, platformId))
    .groupBy(platforms.id)
    .orderBy(platforms.name);
}

export async function addFrameOrigin(db: Db, platformId: string, origin: string) {
  await db
    .update(platforms)
    .set({ frameOrigins: sql`array_append(${platforms.frameOrigins}, ${origin})` })
    .where(and(eq(platforms.id, platformId), sql`not (${origin} = any(${platforms.frameOrigins}))`));
}

export async function listPlatformOrigins(db: Db) {
  return db.select({ issuer: platforms.issuer, authEndpoint: platforms.authEndpoint, frameOrigins: platforms.frameOrigins }).from(platforms);
}

/** Stores the browser's zone for a person who has none yet; a zone they chose is kept. */
export async function setTimeZoneIfUnset(db: Db, userId: string, zone: string): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ timeZone: zone })
    .where(and(eq(users.id, userId), sql`${users.timeZone} is null`))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function findUserPlatformId(db: Db, userId: string): Promise<string | undefined> {
  const rows = await db.select({ platformId: users.platformId }).from(users).where(eq(users.id, userId));
  return rows[0]?.platformId;
}
