import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { availabilityHours, settings, users } from '../db/schema.js';

export async function readSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return rows[0]?.value as T | undefined;
}

/** Stores a value unless one exists, and returns whichever value won (two instances may race). */
export async function insertSettingOnce<T>(db: Db, key: string, value: T): Promise<T> {
  await db.insert(settings).values({ key, value }).onConflictDoNothing();
  return (await readSetting<T>(db, key)) as T;
}

/** Gives a demo person a zone and weekly hours, once: what they change later in Edit settings stays. */
export async function seedAvailability(db: Db, userId: string, zone: string, ranges: { weekday: number; start: string; end: string }[]): Promise<void> {
  const [existing] = await db.select({ id: availabilityHours.id }).from(availabilityHours).where(eq(availabilityHours.userId, userId)).limit(1);
  const [user] = await db.select({ zone: users.timeZone }).from(users).where(eq(users.id, userId));
  if (existing || user?.zone) return;
  await db.update(users).set({ timeZone: zone }).where(eq(users.id, userId));
  await db.insert(availabilityHours).values(ranges.map((r) => ({ userId, weekday: r.weekday, startTime: r.start, endTime: r.end, timeZone: zone })));
}
