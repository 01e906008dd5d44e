// The only place the tags module touches Drizzle. Functions return flat rows; the service sorts
// and groups them, so the order is the same on PGlite and on a server with another collation.
import { and, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { memberships, tags, userExpertiseTags, users } from '../db/schema.js';
import type { TagCategory } from './schemas.js';

const tagColumns = { id: tags.id, category: tags.category, name: tags.name, retiredAt: tags.retiredAt };

export type TagRow = { id: string; category: TagCategory; name: string; retiredAt: Date | null };

export async function listPlatformTags(db: Db, platformId: string, opts: { includeRetired: boolean; category?: TagCategory }): Promise<TagRow[]> {
  return db
    .select(tagColumns)
    .from(tags)
    .where(
      and(
        eq(tags.platformId, platformId),
        opts.category ? eq(tags.category, opts.category) : undefined,
        opts.includeRetired ? undefined : isNull(tags.retiredAt),
      ),
    );
}

export async function findTag(db: Db, platformId: string, category: TagCategory, tagId: string): Promise<TagRow | undefined> {
  const rows = await db
    .select(tagColumns)
    .from(tags)
    .where(and(eq(tags.id, tagId), eq(tags.platformId, platformId), eq(tags.category, category)));
  return rows[0];
}

/** A tag of the category whose name equals `name` ignoring case (the unique index's rule), if any. */
export async function findTagByName(db: Db, platformId: string, category: TagCategory, name: string): Promise<TagRow | undefined> {
  const rows = await db
    .select(tagColumns)
    .from(tags)
    .where(and(eq(tags.platformId, platformId), eq(tags.category, category), sql`lower(${tags.name}) = lower(${name})`));
  return rows[0];
}

export async function findPlatformTagsByIds(db: Db, platformId: string, tagIds: string[]): Promise<TagRow[]> {
  if (tagIds.length === 0) return [];
  return db
    .select(tagColumns)
    .from(tags)
    .where(and(eq(tags.platformId, platformId), inArray(tags.id, tagIds)));
}

export async function insertTag(db: Db, t: { platformId: string; category: TagCategory; name: string }): Promise<TagRow> {
  const [row] = await db.insert(tags).values(t).returning(tagColumns);
  return row!;
}

export async function updateTag(db: Db, tagId: string, set: { name?: string; retiredAt?: Date | null; updatedAt: Date }): Promise<TagRow> {
  const [row] = await db.update(tags).set(set).where(eq(tags.id, tagId)).returning(tagColumns);
  return row!;
}

export async function listUserExpertise(db: Db, userId: string): Promise<TagRow[]> {
  return db
    .select(tagColumns)
    .from(userExpertiseTags)
    .innerJoin(tags, eq(tags.id, userExpertiseTags.tagId))
    .where(eq(userExpertiseTags.userId, userId));
}

export async function replaceUserExpertise(db: Db, userId: string, tagIds: string[]): Promise<void> {
  await db.delete(userExpertiseTags).where(eq(userExpertiseTags.userId, userId));
  if (tagIds.length > 0) await db.insert(userExpertiseTags).values(tagIds.map((tagId) => ({ userId, tagId })));
}

/** The course's tutors and instructors, each with the ids of their expertise tags among `tagIds`. */
export async function listCourseTutorsWithMatches(db: Db, courseId: string, tagIds: string[]) {
  const matched = tagIds.length > 0 ? inArray(userExpertiseTags.tagId, tagIds) : sql`false`;
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      matchedTagIds: sql<string[]>`coalesce(array_agg(${userExpertiseTags.tagId}::text order by ${userExpertiseTags.tagId}) filter (where ${isNotNull(userExpertiseTags.tagId)}), '{}')`,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(userExpertiseTags, and(eq(userExpertiseTags.userId, users.id), matched))
    .where(and(eq(memberships.courseId, courseId), inArray(memberships.role, ['tutor', 'instructor']), isNull(memberships.endedAt)))
    .groupBy(users.id, memberships.role);
}

/** PostgreSQL's unique_violation, however the driver (pg, PGlite, Drizzle) wraps it. */
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++, e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
