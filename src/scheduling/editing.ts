// Editing and cancelling sessions: "This session", "This and following sessions", "All sessions".
// What already happened is never touched: a change applies from an occurrence that has not
// started, earlier occurrences keep their series (split off when needed), and an occurrence that
// survives a change keeps its id, so RSVPs, attendance and feedback stay attached to it.
import type { Db } from '../db/client.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../lib/errors.js';
import type { Role } from '../lib/session-token.js';
import * as q from './queries.js';
import { endBefore, expandOccurrences, timingOf, type SeriesTiming } from '../lib/recurrence.js';
import { localDateOf, localTimeOf } from '../lib/time.js';
import { syncBookings } from './bookings.js';
import { gateConflicts, saveWithoutDoubleBooking } from './conflict-gate.js';
import { mayEdit, type Actor, type SchedulingDeps } from './service.js';
import { FormError, seriesFields, validateSessionForm, type ValidSessionForm } from './validation.js';

export type EditScope = 'this' | 'following' | 'all';
export const EDIT_SCOPES: readonly EditScope[] = ['this', 'following', 'all'];

type Editable = NonNullable<Awaited<ReturnType<typeof q.findOccurrenceWithSeries>>>;

export function repeats(series: q.SeriesRow): boolean {
  return (series.repeat as SeriesTiming['repeat']).freq !== 'none';
}

/** The occurrence and its series, when the person may change it and it has not started yet. */
export async function loadEditable(db: Db, actor: Actor, courseId: string, occurrenceId: string, now: Date): Promise<Editable> {
  const found = await q.findOccurrenceWithSeries(db, courseId, occurrenceId);
  if (!found) throw new NotFoundError('This session does not exist in this community.');
  if (!(await mayEdit(db, actor, found.series))) throw new ForbiddenError('Only the session’s tutors and the course staff can change it.');
  if (found.occurrence.startsAt <= now) throw new ConflictError('This session has already started or taken place, and past sessions are kept as they were.');
  return found;
}

/** Where a "following" or "all" change starts: this occurrence, or the series' first one still to come. */
export async function anchorOf(db: Db, { occurrence, series }: Editable, scope: EditScope, now: Date) {
  if (scope !== 'all') return occurrence;
  const upcoming = await q.listOccurrencesFrom(db, series.id, now);
  return upcoming.find((o) => o.startsAt > now) ?? occurrence;
}

export async function editSessions({ db, hooks }: SchedulingDeps, actor: Actor, courseId: string, occurrenceId: string, scope: EditScope, input: Record<string, unknown>, now: Date) {
  const found = await loadEditable(db, actor, courseId, occurrenceId, now);
  const keptTags = await q.listSeriesTagIds(db, found.series.id);
  const valid = await validateSessionForm(db, actor.userId, { ...input, courseId: found.series.courseId }, now, keptTags);
  const detaching = scope === 'this' && repeats(found.series);
  const timing: SeriesTiming = detaching ? { ...valid.timing, repeat: { freq: 'none' } } : valid.timing;
  const replaced = [found.series.id];
  await gateConflicts(db, valid, timing, replaced);
  await saveWithoutDoubleBooking(db, valid, timing, replaced, async (tx) => {
    // Who was invited and which sessions there were, to tell each person once below.
    const before = await hooks.beforeChange(tx, found.series.id);
    let changed: string;
    if (detaching) changed = await detachOccurrence(tx, found, valid);
    else changed = await rescheduleFrom(tx, found.series, await anchorOf(tx, found, repeats(found.series) ? scope : 'all', now), valid);
    await syncBookings(tx, [found.series.id, changed]);
    await hooks.edited(tx, before, changed, now);
  });
}

/** "This session": the occurrence moves to a one-off series of its own; the rule skips its date. */
async function detachOccurrence(db: Db, { occurrence, series }: Editable, valid: ValidSessionForm): Promise<string> {
  const timing: SeriesTiming = { ...valid.timing, repeat: { freq: 'none' } };
  const originalDate = localDateOf(occurrence.originalStartsAt, series.timeZone);
  const childId = await q.insertChildSeries(db, {
    ...seriesFields({ ...valid, timing }, series.createdBy),
    repeat: timing.repeat,
    parentSeriesId: series.id,
    excludedDates: [],
  });
  await q.replaceSeriesDetails(db, childId, series.courseId, valid);
  const [moved] = expandOccurrences(timing, {}, 1);
  await q.moveOccurrence(db, occurrence.id, childId, moved!.start, moved!.end);
  await q.updateSeries(db, series.id, { excludedDates: [...series.excludedDates, originalDate] });
  return childId;
}

/**
 * "This and following" / "All sessions": from the anchor on, the edited rule applies. When
 * nothing before the anchor exists the series is changed in place; otherwise the series is cut
 * the day before the anchor and a new series continues with the edited details.
 */
async function rescheduleFrom(db: Db, series: q.SeriesRow, anchor: { startsAt: Date }, valid: ValidSessionForm): Promise<string> {
  const later = await q.listOccurrencesFrom(db, series.id, anchor.startsAt);
  const earlier = await q.listOccurrencesFrom(db, series.id, new Date(0));
  const hasEarlier = earlier.length > later.length;
  let targetId = series.id;
  const excluded = series.excludedDates.filter((d) => d >= valid.timing.startDate);
  if (!hasEarlier) {
    await q.updateSeries(db, series.id, { ...seriesFields(valid, series.createdBy), excludedDates: excluded });
  } else {
    const cut = endBefore(timingOf(series), localDateOf(anchor.startsAt, series.timeZone));
    if (cut) await q.updateSeries(db, series.id, { repeat: cut.repeat });
    targetId = await q.insertChildSeries(db, { ...seriesFields(valid, series.createdBy), parentSeriesId: series.id, excludedDates: excluded });
  }
  await q.replaceSeriesDetails(db, targetId, series.courseId, valid);
  await regenerate(db, targetId, series.courseId, valid.timing, excluded, later, series.timeZone);
  return targetId;
}

/**
 * Lays the rule's occurrences over the existing ones: an existing occurrence on the same local
 * date is moved (it keeps its id and what is attached to it), new dates get new occurrences, and
 * existing ones the rule no longer yields are removed.
 */
async function regenerate(db: Db, seriesId: string, courseId: string, timing: SeriesTiming, excluded: string[], existing: { id: string; originalStartsAt: Date }[], oldZone: string) {
  const byDate = new Map(existing.map((o) => [localDateOf(o.originalStartsAt, oldZone), o]));
  const fresh: { start: Date; end: Date }[] = [];
  for (const o of expandOccurrences(timing).filter((o) => !excluded.includes(o.localDate))) {
    const reuse = byDate.get(o.localDate);
    if (!reuse) {
      fresh.push(o);
      continue;
    }
    byDate.delete(o.localDate);
    await q.moveOccurrence(db, reuse.id, seriesId, o.start, o.end, o.start);
  }
  await q.insertOccurrences(db, seriesId, courseId, fresh);
  await q.deleteOccurrences(db, [...byDate.values()].map((o) => o.id));
}

/** Cancels without deleting: cancelled occurrences keep everything attached and show as cancelled. */
export async function cancelSessions({ db, hooks }: SchedulingDeps, actor: Actor, courseId: string, occurrenceId: string, scope: EditScope, now: Date) {
  const found = await loadEditable(db, actor, courseId, occurrenceId, now);
  const from = scope === 'this' ? null : scope === 'following' ? found.occurrence.startsAt : now;
  const ids = from ? (await q.listOccurrencesFrom(db, found.series.id, from)).filter((o) => o.startsAt > now).map((o) => o.id) : [found.occurrence.id];
  await db.transaction(async (tx) => {
    // Which sessions were still scheduled, to tell each person once below.
    const before = await hooks.beforeChange(tx, found.series.id);
    await q.cancelOccurrences(tx, ids);
    await q.updateSeries(tx, found.series.id, {});
    await syncBookings(tx, [found.series.id]);
    // One cancellation per invitee, whatever the number of sessions cancelled.
    await hooks.cancelled(tx, before, ids, now);
  });
  return ids.length;
}
