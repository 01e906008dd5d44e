// The availability scenarios, in process: the conflict check of a weekly series and the Scheduling
// assistant's week, called the way TutorKit's routes call them (src/availability/service.ts), one
// call at a time, on the bench's seeded database. The targets are latencies of one call.
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { checkConflicts, loadAssistant, type Invitee } from '../../src/availability/service.js';
import { describeConflicts, fingerprint } from '../../src/availability/conflicts.js';
import type { SeriesTiming } from '../../src/lib/recurrence.js';
import type { SeedSummary } from '../seed-large.js';
import { cpuMeter, Recorder, type Measurement } from './stats.js';

/** The targets: medians, in ms. */
export const AVAILABILITY_TARGETS = {
  assistant: { postgres: 50, pglite: 150 },
  conflictCheck: { postgres: 100 },
  /** Issue 11: a 500-session series with 30 invitees, judged on p95. */
  conflictCheck500: { postgres: 150 },
} as const;

const INVITEES = 30;
const TUTORS = 5;
const ASSISTANT_DAYS = 7;
const WEEKLY_COUNT = 52;

export interface AvailabilityFixture {
  courseId: string;
  invitees: Invitee[];
  /** The busiest tutor's zone: the scheduler's. */
  zone: string;
  /** Monday (local) of the week these people are busiest in: the assistant's first day. */
  week: string;
  /** A weekly series on Tuesdays at 16:00 for 60 minutes, 52 times from the seed's first Tuesday. */
  timing: SeriesTiming;
  /** The longest series a form allows: daily at the same time, 500 times. */
  daily500: SeriesTiming;
}

type Row = Record<string, unknown>;
const rowsOf = async <T extends Row>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> => ((await db.execute(query)) as unknown as { rows: T[] }).rows;

/**
 * Thirty real invitees of the course with the most sessions: its five busiest tutors (most
 * bookings) and its busiest students (most occurrences invited to), fewer tutors when the course
 * has fewer. Busy people make the busy-time query work hardest.
 */
export async function findAvailabilityFixture(db: Db, seed: SeedSummary, startDate: string): Promise<AvailabilityFixture> {
  const courseIds = seed.courses.map((c) => c.id);
  const [course] = await rowsOf<{ course_id: string }>(
    db,
    sql`select course_id from occurrences where status = 'scheduled' and course_id in ${courseIds} group by course_id order by count(*) desc, course_id limit 1`,
  );
  if (!course) throw new Error('the seed has no scheduled occurrence');
  const tutors = await rowsOf<{ user_id: string; time_zone: string | null }>(
    db,
    sql`select b.tutor_id as user_id, u.time_zone from tutor_bookings b
      join memberships m on m.user_id = b.tutor_id and m.course_id = ${course.course_id} and m.role = 'tutor'
      join users u on u.id = b.tutor_id
      group by b.tutor_id, u.time_zone order by count(*) desc, b.tutor_id limit ${TUTORS}`,
  );
  const students = await rowsOf<{ user_id: string }>(
    db,
    sql`select i.user_id from series_invitees i
      join occurrences o on o.series_id = i.series_id and o.status = 'scheduled'
      join memberships m on m.user_id = i.user_id and m.course_id = ${course.course_id} and m.role = 'student'
      where i.role = 'student'
      group by i.user_id order by count(*) desc, i.user_id limit ${INVITEES - tutors.length}`,
  );
  const invitees: Invitee[] = [...tutors.map((t) => ({ userId: t.user_id, role: 'tutor' as const })), ...students.map((s) => ({ userId: s.user_id, role: 'student' as const }))];
  if (invitees.length < INVITEES) throw new Error(`the busiest course has only ${invitees.length} people to invite (want ${INVITEES})`);
  const zone = tutors[0]?.time_zone ?? 'America/New_York';
  const [week] = await rowsOf<{ monday: string }>(
    db,
    sql`select to_char(date_trunc('week', o.starts_at at time zone ${zone}), 'YYYY-MM-DD') as monday
      from series_invitees i join occurrences o on o.series_id = i.series_id and o.status = 'scheduled'
      where i.user_id in ${invitees.map((i) => i.userId)}
      group by 1 order by count(*) desc, 1 limit 1`,
  );
  const timing: SeriesTiming = {
    startDate: firstTuesday(startDate),
    startTime: '16:00',
    durationMinutes: 60,
    zone,
    repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: { type: 'count', count: WEEKLY_COUNT } },
  };
  const daily500: SeriesTiming = { ...timing, repeat: { freq: 'daily', interval: 1, end: { type: 'count', count: 500 } } };
  return { courseId: course.course_id, invitees, zone, week: week!.monday, timing, daily500 };
}

/** The first Tuesday on or after a YYYY-MM-DD date. */
function firstTuesday(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + ((2 - day.getUTCDay() + 7) % 7));
  return day.toISOString().slice(0, 10);
}

/** What one call found, to show the scenario had something to chew on. */
export interface CallShape {
  /** Assistant: busy spans over all rows; conflict check: conflicts found. */
  found: number;
  describe: string;
}

export const assistantCall = (db: Db, f: AvailabilityFixture) => async (): Promise<CallShape> => {
  const data = await loadAssistant(db, { invitees: f.invitees, zone: f.zone, date: f.week, days: ASSISTANT_DAYS });
  const busy = data.rows.reduce((n, r) => n + r.busy.length, 0);
  const setUp = data.rows.filter((r) => r.setUp).length;
  return { found: busy, describe: `${data.rows.length} invitees × ${ASSISTANT_DAYS} days from ${f.week} (${f.zone}): ${busy} busy spans, ${setUp} with weekly hours` };
};

/** The check as the form's alert runs it: conflicts, their fingerprint and the alert's words. */
export const conflictCall = (db: Db, f: AvailabilityFixture, timing: SeriesTiming = f.timing) => async (): Promise<CallShape> => {
  const report = await checkConflicts(db, { timing, invitees: f.invitees });
  fingerprint(report.conflicts);
  describeConflicts(report.conflicts, timing.zone, f.courseId);
  const busy = report.conflicts.filter((c) => c.kind === 'busy').length;
  const rule = timing.repeat.freq === 'daily' ? 'daily 16:00-17:00' : 'Tuesdays 16:00-17:00';
  return {
    found: report.conflicts.length,
    describe: `${report.occurrences.length} × ${rule} from ${timing.startDate} × ${report.people.length} invitees: ${report.conflicts.length} conflicts (${busy} busy, ${report.conflicts.length - busy} unavailable)`,
  };
};

/**
 * `warmup` unmeasured calls, then `iterations` measured ones, one after another. A call that
 * throws is an error; the rate is calls per second of the measured calls back to back.
 */
export async function measureCalls(call: () => Promise<CallShape>, options: { warmup: number; iterations: number }): Promise<{ measurement: Measurement; shape: CallShape | null }> {
  const recorder = new Recorder();
  let shape: CallShape | null = null;
  const attempt = async (measured: boolean) => {
    const started = performance.now();
    try {
      shape = await call();
      if (measured) recorder.record(performance.now() - started);
    } catch (err) {
      recorder.fail((err as Error).message);
    }
  };
  for (let i = 0; i < options.warmup; i++) await attempt(false);
  const cpu = cpuMeter();
  const t0 = performance.now();
  for (let i = 0; i < options.iterations; i++) await attempt(true);
  return { measurement: recorder.summarize((performance.now() - t0) / 1000, cpu()), shape };
}
