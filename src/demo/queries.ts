import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema.js';

export async function readSetting<T>(db: Db, key: string): Promise<T | undefined> {
  const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key));
  return rows[0]?.value as T | undefined;
}

/** Stores a value unless one exists, and returns whichever value won (two instances may race). */
export async function insertSettingOnce<T>(db: Db, key: string, value: T): Promise<T> {
  await db.insert(settings).values({ key, value }).onConflictDoNothing();
  return (await readSetting<T>(db, key)) as T;
}
