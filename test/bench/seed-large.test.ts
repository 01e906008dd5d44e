// The benchmark's synthetic university: what it stores, that a seed reproduces it exactly, and
// that a second seed on the same database is refused. A tiny university keeps this fast; the
// bookings and availability are checked again at --scale 0.02, where tutors are as busy as at
// the full size.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { DEFAULT_SEED, deleteSeed, readSeedArgs, SeedError, seedLarge, type SeedOptions, type SeedReport } from '../../bench/seed-large.js';
import type { Database } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { availabilityHours, courses, memberships, occurrences, platforms, sessionSeries, tags, tutorBookings, users } from '../../src/db/schema.js';
import { expandOccurrences, type RepeatRule } from '../../src/lib/recurrence.js';
import { openTestDatabase } from '../support/app.js';

const tinyUniversity: SeedOptions = { ...DEFAULT_SEED, courses: 3, students: 60, tutors: 6, occurrences: 400 };
const TABLES = [
  'platforms', 'deployments', 'courses', 'users', 'memberships', 'tags', 'user_expertise_tags', 'availability_hours',
  'availability_exceptions', 'session_series', 'series_tags', 'session_resources', 'series_invitees', 'occurrences', 'rsvps',
  'tutor_bookings',
];

async function openMigrated(): Promise<{ database: Database; close: () => Promise<void> }> {
  const { database, drop } = await openTestDatabase();
  await applyMigrations(database);
  const close = async () => {
    await database.close();
    await drop();
  };
  return { database, close };
}

// Both drivers answer { rows }; Drizzle's shared type does not say so.
const rowsOf = async <T>(database: Database, query: SQL): Promise<T[]> => ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;

async function countOf(database: Database, query: SQL): Promise<number> {
  const [row] = await rowsOf<{ n: number | string }>(database, query);
  return Number(row?.n);
}

async function countEveryTable(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = await countOf(database, sql`select count(*) as n from ${sql.identifier(table)}`);
  return counts;
}

/** A digest of what a person would notice changing: ids, who is there, what is on, and when. */
async function digestOf(database: Database): Promise<string> {
  const { db } = database;
  const people = await db.select({ id: users.id, sub: users.sub, name: users.name, zone: users.timeZone }).from(users).orderBy(asc(users.sub));
  const series = await db.select({ id: sessionSeries.id, name: sessionSeries.name }).from(sessionSeries).orderBy(asc(sessionSeries.id));
  const meetings = await db.select({ id: occurrences.id, startsAt: occurrences.startsAt, status: occurrences.status }).from(occurrences).orderBy(asc(occurrences.id));
  const hours = await db.select({ id: availabilityHours.id, userId: availabilityHours.userId, weekday: availabilityHours.weekday, start: availabilityHours.startTime, end: availabilityHours.endTime }).from(availabilityHours).orderBy(asc(availabilityHours.id));
  const bookings = await db.select({ occurrenceId: tutorBookings.occurrenceId, tutorId: tutorBookings.tutorId }).from(tutorBookings).orderBy(asc(tutorBookings.occurrenceId), asc(tutorBookings.tutorId));
  const counts = await countEveryTable(database);
  return createHash('sha256')
    .update(JSON.stringify({ people, series, meetings: meetings.map((m) => [m.id, m.startsAt.toISOString(), m.status]), hours, bookings, counts }))
    .digest('hex');
}

describe('seed:large: a synthetic university for benchmarks', function () {
  this.timeout(120_000);
  let seeded: { database: Database; close: () => Promise<void> };
  let report: SeedReport;

  before(async () => {
    seeded = await openMigrated();
    report = await seedLarge(seeded.database, tinyUniversity);
  });
  after(async () => seeded?.close());

  it('When a tiny university is seeded, then the stored rows match the summary', async () => {
    const { database } = seeded;
    const [platform] = await database.db.select().from(platforms);
    expect(platform).to.include({ id: report.platformId, issuer: 'https://lms.bench.tutorkit.test', clientId: 'tutorkit-bench' });
    const stored = await database.db.select({ id: courses.id, contextId: courses.contextId, title: courses.title }).from(courses).where(eq(courses.platformId, report.platformId)).orderBy(asc(courses.contextId));
    expect(stored.map((c) => c.contextId)).to.deep.equal(['course-1', 'course-2', 'course-3']);
    expect(report.courses).to.have.deep.members(stored.map(({ id, contextId }) => ({ id, contextId })));
    expect(stored[0]!.title).to.match(/^[A-Z]+ \d{3}: \S/);
    expect(await countOf(database, sql`select count(*) as n from users where sub like 'student-%'`)).to.equal(60);
    expect(await countOf(database, sql`select count(*) as n from users where sub like 'tutor-%'`)).to.equal(6);
    expect(await countOf(database, sql`select count(*) as n from users where sub like 'instructor-%'`)).to.equal(3);
    expect(await countOf(database, sql`select count(*) as n from users where email <> sub || '@bench.tutorkit.test'`)).to.equal(0);
    const counts = await countEveryTable(database);
    expect(counts).to.include({ session_series: report.series, occurrences: report.occurrences, series_invitees: report.invitations, tutor_bookings: report.bookings });
    expect(counts).to.include({ availability_hours: report.availability.hours, availability_exceptions: report.availability.exceptions });
    expect(report.tables.map((t) => [t.table, t.rows])).to.deep.equal(TABLES.map((t) => [t, counts[t]]));
    expect(counts.rsvps, 'some RSVPs').to.be.above(0);
    expect(counts.session_resources, 'some resources').to.be.above(0);
    expect(report.availability.people, 'people with weekly hours').to.be.above(0);
  });

  it('When a tiny university is seeded, then its tutors are booked for their sessions and never twice at once', async () => {
    const { database } = seeded;
    expect(report.bookings).to.be.above(0);
    expect(await countBookingMismatches(database)).to.deep.equal({ missing: 0, extra: 0 });
    expect(await countOverlappingBookings(database)).to.equal(0);
  });

  it('When it is seeded, then the occurrences are about as many as asked and all within the two years', async () => {
    const { database } = seeded;
    expect(report.occurrences).to.be.within(360, 440);
    const [span] = await rowsOf<{ first: string | Date; last: string | Date }>(database, sql`select min(starts_at) as first, max(starts_at) as last from occurrences`);
    const { first, last } = span!;
    expect(new Date(first).getTime()).to.be.at.least(Date.parse('2026-01-05T00:00:00Z'));
    expect(new Date(last).getTime()).to.be.below(Date.parse('2028-01-05T00:00:00Z'));
    expect(await countOf(database, sql`select count(*) as n from occurrences o join session_series s on s.id = o.series_id where o.course_id <> s.course_id`)).to.equal(0);
  });

  it('When a seeded series is expanded again from what is stored, then it gives exactly its stored occurrences', async () => {
    const { db } = seeded.database;
    const series = await db.select().from(sessionSeries);
    const meetings = await db.select({ seriesId: occurrences.seriesId, startsAt: occurrences.startsAt, endsAt: occurrences.endsAt }).from(occurrences).orderBy(asc(occurrences.startsAt));
    expect(series.map((s) => (s.repeat as RepeatRule).freq)).to.include.members(['none', 'weekly', 'daily']);
    for (const s of series) {
      const timing = { startDate: s.startDate, startTime: s.startTime.slice(0, 5), durationMinutes: s.durationMinutes, zone: s.timeZone, repeat: s.repeat as RepeatRule };
      const stored = meetings.filter((m) => m.seriesId === s.id).map((m) => [m.startsAt.toISOString(), m.endsAt.toISOString()]);
      expect(stored, s.name).to.deep.equal(expandOccurrences(timing).map((o) => [o.start.toISOString(), o.end.toISOString()]));
    }
  });

  it('When people are seeded, then they have names, LTI roles and zones as a launch would store them', async () => {
    const { db } = seeded.database;
    const [student] = await db.select().from(users).where(eq(users.sub, 'student-1'));
    expect(student!.name).to.equal(`${student!.givenName} ${student!.familyName}`);
    expect(student!.email).to.equal('student-1@bench.tutorkit.test');
    expect(student!.timeZone).to.match(/^(America|Europe)\//);
    const roles = await db.select({ role: memberships.role, ltiRoles: memberships.ltiRoles }).from(memberships).where(eq(memberships.userId, student!.id));
    expect(roles.map((r) => [r.role, r.ltiRoles])).to.deep.include(['student', ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner']]);
    const tagNames = (await db.select({ name: tags.name }).from(tags)).map((t) => t.name);
    expect(tagNames).to.include.members(['Exam preparation', 'First year', 'Honors College']);
  });

  it('When sessions are seeded, then every invitee is a member of the series course with the matching role', async () => {
    const { database } = seeded;
    expect(await countOf(database, sql`select count(*) as n from series_invitees`)).to.be.above(0);
    const misfits = await countOf(
      database,
      sql`select count(*) as n from series_invitees i
        join session_series s on s.id = i.series_id
        left join memberships m on m.course_id = s.course_id and m.user_id = i.user_id
        where i.course_id <> s.course_id or m.user_id is null
          or (i.role = 'student' and m.role <> 'student') or (i.role = 'tutor' and m.role not in ('tutor', 'instructor'))`,
    );
    expect(misfits).to.equal(0);
    const [perStudent] = await rowsOf<{ fewest: number | string; most: number | string }>(
      database,
      sql`select min(n) as fewest, max(n) as most from (select count(*) as n from memberships m join users u on u.id = m.user_id where u.sub like 'student-%' group by m.user_id) t`,
    );
    expect(Number(perStudent!.fewest)).to.be.at.least(2);
    expect(Number(perStudent!.most)).to.be.at.most(3); // 2-4 courses, and there are only 3
  });

  it('When the same options are seeded on a fresh database, then the data is identical; with another seed, it differs', async () => {
    const expected = await digestOf(seeded.database);
    const again = await openMigrated();
    const other = await openMigrated();
    try {
      await seedLarge(again.database, tinyUniversity);
      await seedLarge(other.database, { ...tinyUniversity, seed: 43 });
      expect(await digestOf(again.database)).to.equal(expected);
      expect(await digestOf(other.database)).to.not.equal(expected);
    } finally {
      await again.close();
      await other.close();
    }
  });

  it('When the university is seeded again without a reset, then it is refused and nothing changes', async () => {
    const before = await countEveryTable(seeded.database);
    const failure = await seedLarge(seeded.database, tinyUniversity).then(() => null, (err: unknown) => err);
    expect(failure).to.be.instanceOf(SeedError);
    expect((failure as Error).message).to.contain('already holds the bench platform').and.contain('--reset');
    expect(await countEveryTable(seeded.database)).to.deep.equal(before);
  });

  it('When the seed is deleted, then nothing of it is left and the same seed loads again identically', async () => {
    const expected = await digestOf(seeded.database);
    expect(await deleteSeed(seeded.database)).to.equal(true);
    expect(Object.values(await countEveryTable(seeded.database)).every((n) => n === 0)).to.equal(true);
    expect(await deleteSeed(seeded.database)).to.equal(false);
    await seedLarge(seeded.database, tinyUniversity);
    expect(await digestOf(seeded.database)).to.equal(expected);
  });
});

/** Non-cancelled occurrences × tutor invitees of their series that have no booking, and bookings that match none. */
async function countBookingMismatches(database: Database): Promise<{ missing: number; extra: number }> {
  const expected = sql`select o.id as occurrence_id, i.user_id as tutor_id, o.series_id, o.starts_at, o.ends_at
    from occurrences o join series_invitees i on i.series_id = o.series_id and i.role = 'tutor' where o.status <> 'cancelled'`;
  const stored = sql`select occurrence_id, tutor_id, series_id, starts_at, ends_at from tutor_bookings`;
  return {
    missing: await countOf(database, sql`select count(*) as n from (${expected} except ${stored}) t`),
    extra: await countOf(database, sql`select count(*) as n from (${stored} except ${expected}) t`),
  };
}

/** Pairs of one tutor's bookings that overlap in time. */
const countOverlappingBookings = (database: Database) =>
  countOf(
    database,
    sql`select count(*) as n from tutor_bookings a join tutor_bookings b
      on a.tutor_id = b.tutor_id and a.occurrence_id < b.occurrence_id and a.starts_at < b.ends_at and b.starts_at < a.ends_at`,
  );

/** Of the bookings of tutors who set weekly hours up, how many one range of those hours holds (local time in the range's zone). */
async function coverageOfBookings(database: Database): Promise<{ booked: number; covered: number }> {
  const [row] = await rowsOf<{ booked: number | string; covered: number | string }>(
    database,
    sql`select count(*) as booked, count(*) filter (where exists (
          select 1 from availability_hours h where h.user_id = b.tutor_id
            and h.weekday = extract(isodow from b.starts_at at time zone h.time_zone)
            and h.start_time <= (b.starts_at at time zone h.time_zone)::time
            and (h.end_time = '24:00' or h.end_time >= (b.ends_at at time zone h.time_zone)::time))) as covered
        from tutor_bookings b where exists (select 1 from availability_hours h where h.user_id = b.tutor_id)`,
  );
  return { booked: Number(row!.booked), covered: Number(row!.covered) };
}

describe('seed:large at --scale 0.02: bookings and availability as busy as at full size', function () {
  this.timeout(180_000);
  let seeded: { database: Database; close: () => Promise<void> };
  let report: SeedReport;

  before(async () => {
    const args = readSeedArgs(['--scale', '0.02']);
    if (args === 'help') throw new Error('unexpected help');
    seeded = await openMigrated();
    report = await seedLarge(seeded.database, args.options);
  });
  after(async () => seeded?.close());

  it('When it is seeded, then every non-cancelled occurrence books each tutor of its series, and nothing else is booked', async () => {
    const { database } = seeded;
    expect(report.occurrences).to.equal(4000);
    expect(report.bookings).to.be.above(report.occurrences * 0.9);
    expect(await countBookingMismatches(database)).to.deep.equal({ missing: 0, extra: 0 });
    const cancelled = await countOf(database, sql`select count(*) as n from occurrences where status = 'cancelled'`);
    expect(cancelled / report.occurrences, 'a few cancelled occurrences').to.be.within(0.005, 0.08);
  });

  it('When it is seeded, then no tutor has two bookings that overlap', async () => {
    expect(await countOverlappingBookings(seeded.database)).to.equal(0);
    // The database agrees: its exclusion constraint refuses a second booking over one the tutor has.
    const failure = await seeded.database.db
      .execute(sql`insert into tutor_bookings (occurrence_id, tutor_id, series_id, starts_at, ends_at)
        select o.id, b.tutor_id, o.series_id, b.starts_at, b.ends_at from tutor_bookings b
        join occurrences o on o.id <> b.occurrence_id and o.status = 'cancelled' limit 1`)
      .then(() => null, (err: unknown) => err as Error & { cause?: { message?: string } });
    expect(`${failure?.message} ${failure?.cause?.message ?? ''}`).to.contain('tutor_bookings_no_double_booking');
  });

  it('When it is seeded, then most tutors and some students have weekly hours in their own zone, with a few dates that differ', async () => {
    const { database } = seeded;
    const share = async (prefix: string) =>
      (await countOf(database, sql`select count(distinct h.user_id) as n from availability_hours h join users u on u.id = h.user_id where u.sub like ${prefix + '%'}`)) /
      (await countOf(database, sql`select count(*) as n from users where sub like ${prefix + '%'}`));
    expect(await share('tutor-'), 'tutors with hours').to.be.within(0.6, 1);
    expect(await share('student-'), 'students with hours').to.be.within(0.2, 0.4);
    expect(await share('instructor-'), 'instructors with hours').to.equal(0);
    expect(await countOf(database, sql`select count(*) as n from availability_hours h join users u on u.id = h.user_id where h.time_zone <> u.time_zone`)).to.equal(0);
    expect(await countOf(database, sql`select count(*) as n from availability_exceptions e join users u on u.id = e.user_id where e.time_zone <> u.time_zone`)).to.equal(0);
    expect(await countOf(database, sql`select count(*) as n from availability_hours where end_time = '24:00'`), 'ranges until midnight').to.be.above(0);
    const [kinds] = await rowsOf<{ days_off: number | string; extra: number | string }>(
      database,
      sql`select count(*) filter (where kind = 'day_off') as days_off, count(*) filter (where kind = 'extra_hours') as extra from availability_exceptions`,
    );
    expect(Number(kinds!.days_off)).to.be.above(0);
    expect(Number(kinds!.extra)).to.be.above(0);
    // One person's ranges on one weekday never overlap.
    const overlapping = await countOf(
      database,
      sql`select count(*) as n from availability_hours a join availability_hours b
        on a.user_id = b.user_id and a.weekday = b.weekday and a.id < b.id and a.start_time < b.end_time and b.start_time < a.end_time`,
    );
    expect(overlapping).to.equal(0);
  });

  it('When tutors have weekly hours, then those hours hold most of their bookings but not all', async () => {
    const { booked, covered } = await coverageOfBookings(seeded.database);
    expect(booked).to.be.above(1000);
    expect(covered / booked).to.be.within(0.6, 0.97);
  });

  it('When it is seeded, then some tutors have a meeting link of their own, and nobody else has', async () => {
    const { database } = seeded;
    const withLink = await countOf(database, sql`select count(*) as n from users where sub like 'tutor-%' and meeting_url like 'https://%.bench.tutorkit.test/%'`);
    expect(withLink).to.be.within(1, report.tutors - 1);
    expect(await countOf(database, sql`select count(*) as n from users where sub not like 'tutor-%' and meeting_url is not null`)).to.equal(0);
  });
});

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

describe('npm run seed:large', function () {
  this.timeout(120_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tutorkit-seed-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const seedLargeCli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'bench/seed-large.ts', ...args], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' } }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );
  const tiny = ['--courses', '2', '--students', '20', '--tutors', '2', '--occurrences', '50'];

  it('When it runs twice, then the second run is refused with a readable message until --reset is given', async () => {
    const first = await seedLargeCli(tiny);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('2 courses, 20 students, 2 tutors').and.contain('50 occurrences').and.match(/occurrences +50 rows/);
    const second = await seedLargeCli(tiny);
    expect(second.code).to.equal(1);
    expect(second.stderr).to.contain('already holds the bench platform').and.not.contain('    at ');
    const reset = await seedLargeCli([...tiny, '--reset']);
    expect(reset.code, reset.stderr).to.equal(0);
    expect(reset.stdout).to.contain('Deleted the previous bench data');
  });

  it('When an option is not a number, then it exits 1 naming the option', async () => {
    const failure = await seedLargeCli(['--students', 'many']);
    expect(failure.code).to.equal(1);
    expect(failure.stderr).to.contain('--students must be a whole number');
  });
});
