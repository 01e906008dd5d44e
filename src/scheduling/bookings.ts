// Tutor bookings: one row per (occurrence that is not cancelled, tutor of its series). The
// exclusion constraint on tutor_bookings (drizzle/0004_availability.sql) refuses a row that
// overlaps another of the same tutor, so a double booking fails the whole transaction that
// would create it, whichever request gets there second.
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { tutorBookings } from '../db/schema.js';

const DOUBLE_BOOKING = 'tutor_bookings_no_double_booking';

/** Rebuilds the bookings of these series from their occurrences and tutors. Call inside the transaction that changed them. */
export async function syncBookings(db: Db, seriesIds: string[]): Promise<void> {
  const ids = [...new Set(seriesIds)];
  if (ids.length === 0) return;
  await db.delete(tutorBookings).where(inArray(tutorBookings.seriesId, ids));
  await db.execute(sql`
    insert into tutor_bookings (occurrence_id, tutor_id, series_id, starts_at, ends_at)
    select o.id, i.user_id, o.series_id, o.starts_at, o.ends_at
    from occurrences o join series_invitees i on i.series_id = o.series_id and i.role = 'tutor'
    where o.series_id in ${ids} and o.status <> 'cancelled'`);
}

/** Whether an error is the database refusing a double booking (drivers and Drizzle wrap it differently). */
export function isDoubleBooking(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint, message } = e as { code?: string; constraint?: string; message?: string };
    if (code === '23P01' && (constraint === DOUBLE_BOOKING || message?.includes(DOUBLE_BOOKING))) return true;
  }
  return false;
}
