// npm run seed:large -- [--courses N] [--students N] [--tutors N] [--occurrences N] [--seed N]
//   [--start-date YYYY-MM-DD] [--years N] [--scale 0.1] [--reset]
// Fills a database with a synthetic university for benchmarks: the same seed gives the same rows
// (ids included), so timings from two runs compare like for like. Everything is generated in
// memory first, then loaded in one transaction with INSERTs of 10,000 rows each (one array per
// column, see bench/lib/bulk-insert.ts): a failed seed leaves nothing behind; then the tables are
// analyzed. Works on PGlite and on server PostgreSQL. The default size loads in about a minute on
// a server (see the issue's 3-minute bar).
//
// Tutors are never double-booked: each tutor's booked time is tracked while sessions are laid,
// and tutor_bookings is filled with one row per non-cancelled occurrence and tutor, as the
// application keeps it (its exclusion constraint checks the load). Most tutors and some students
// have weekly availability and a few date exceptions; tutors' hours are drawn around the sessions
// they run, so they cover most of them but not all. The word lists, the academic calendar and
// the series shapes are in seed-data.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config.js';
import { describeUrl, openDatabase, type Database, type Db } from '../src/db/client.js';
import { DirectoryLockedError } from '../src/db/lock.js';
import { applyMigrations } from '../src/db/migrate.js';
import {
  availabilityExceptions, availabilityHours, courses, deployments, memberships, occurrences, platforms, rsvps,
  seriesInvitees, seriesTags, sessionResources, sessionSeries, tags, tutorBookings, userExpertiseTags, users,
} from '../src/db/schema.js';
import { expandOccurrences, type SeriesTiming } from '../src/lib/recurrence.js';
import { insertInChunks } from './lib/bulk-insert.js';
import { createRandom, hashString, weightedPicker, type Random } from './random.js';
import {
  BEFORE_RESOURCES, buildCalendar, type Catalogue, clockTime, courseAt, DEPARTMENTS, type Department, describeSeries, EXIT_RESOURCES,
  FAMILY_NAMES, FIRST_HOUR, GENERAL_TOPICS, GIVEN_NAMES, GRADE_LEVELS, HOUR_WEIGHTS, type Kind, planShape, PROGRAMS,
  type SeriesPlan, type Term, type TopicTag, topicPickerFor, WEEK_PATTERNS, ZONES, type Hours, hoursAround, type Meeting, patternHours,
} from './seed-data.js';

export interface SeedOptions {
  courses: number;
  students: number;
  tutors: number;
  occurrences: number;
  seed: number;
  /** YYYY-MM-DD, the first day of the seeded years (a Monday keeps terms starting on Mondays). */
  startDate: string;
  years: number;
  platform?: { issuer: string; clientId: string; deploymentId: string };
}

export const DEFAULT_SEED: SeedOptions = Object.freeze({
  courses: 50,
  students: 20_000,
  tutors: 300,
  occurrences: 200_000,
  seed: 42,
  startDate: '2026-01-05',
  years: 2,
  platform: Object.freeze({ issuer: 'https://lms.bench.tutorkit.test', clientId: 'tutorkit-bench', deploymentId: 'bench-deployment' }),
});

export interface SeedSummary {
  platformId: string;
  courses: { id: string; contextId: string }[];
  students: number;
  tutors: number;
  series: number;
  occurrences: number;
  invitations: number;
  /** One per non-cancelled occurrence and tutor invited to its series. */
  bookings: number;
  /** People with weekly hours set up, their weekly ranges, and their dates that differ. */
  availability: { people: number; hours: number; exceptions: number };
  ms: number;
}

export interface TableTiming {
  table: string;
  rows: number;
  ms: number;
}

/** What seedLarge returns: the summary, plus where the time went (for the CLI's report). */
export interface SeedReport extends SeedSummary {
  generateMs: number;
  tables: TableTiming[];
  /** Gathering the planner's statistics after the load. */
  analyzeMs: number;
}

/** A seed that cannot run as asked (bad options, or the data is already there). */
export class SeedError extends Error {}

type Platform = NonNullable<SeedOptions['platform']>;
type Role = 'student' | 'tutor' | 'instructor';
type Row<T extends PgTable> = T['$inferInsert'];

const DEFAULT_PLATFORM = DEFAULT_SEED.platform as Platform;
const LTI_ROLES: Record<Role, string> = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  tutor: 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  student: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
};

/** Generates the university for `options` and loads it; refuses when the bench platform exists. */
export async function seedLarge(database: Database, options: SeedOptions, log: (line: string) => void = () => undefined): Promise<SeedReport> {
  const started = performance.now();
  checkOptions(options);
  const platform = options.platform ?? DEFAULT_PLATFORM;
  if (await findPlatformId(database.db, platform)) {
    throw new SeedError(
      `The database already holds the bench platform ${platform.issuer} (client ID ${platform.clientId}). ` +
        'Run with --reset to delete its data and seed again.',
    );
  }
  log(`Generating ${describeOptions(options)} ...`);
  const rows = generateUniversity(options, platform);
  const generateMs = performance.now() - started;
  log(`Generated ${count(rows.sessionSeries.length)} series and ${count(rows.occurrences.length)} occurrences in ${seconds(generateMs)}.`);
  const tables = await loadRows(database.db, rows, log);
  const analyzeMs = await analyzeTables(database.db, log);
  return {
    platformId: rows.platforms[0]!.id!,
    courses: rows.courses.map((c) => ({ id: c.id!, contextId: c.contextId })),
    students: options.students,
    tutors: options.tutors,
    series: rows.sessionSeries.length,
    occurrences: rows.occurrences.length,
    invitations: rows.seriesInvitees.length,
    bookings: rows.tutorBookings.length,
    availability: countAvailability(rows),
    ms: Math.round(performance.now() - started),
    generateMs: Math.round(generateMs),
    tables,
    analyzeMs,
  };
}

/**
 * Gives the planner statistics on what was just loaded. A server's autovacuum would gather them
 * some minutes later (when it is on: it is off on some servers, and PGlite has none); without them
 * the planner guesses, and the busy-time queries took four times as long in the bench.
 */
async function analyzeTables(db: Db, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  await db.execute(sql`analyze`);
  const ms = Math.round(performance.now() - started);
  log(`  ${'(analyze)'.padEnd(23)} ${''.padStart(14)}  ${seconds(ms).padStart(7)}`);
  return ms;
}

/**
 * Deletes the bench platform and everything under it. Sessions go first: a series keeps its
 * creator and its tags without a cascade, so the platform's users and tags cannot go before them.
 * Then every deleted user is checked against session_series.created_by and rsvps.user_id, which
 * have no index of their own: one scan per user. Vacuuming the deleted sessions away first keeps
 * those scans short (3 s instead of 45 s for a reset at the default size). Not atomic: a reset that
 * fails half-way is finished by running it again.
 */
export async function deleteSeed(database: Database, platform: Platform = DEFAULT_PLATFORM): Promise<boolean> {
  const { db } = database;
  const platformId = await findPlatformId(db, platform);
  if (!platformId) return false;
  const platformCourses = db.select({ id: courses.id }).from(courses).where(eq(courses.platformId, platformId));
  await db.delete(sessionSeries).where(inArray(sessionSeries.courseId, platformCourses));
  await db.execute(sql`vacuum session_series, rsvps, tutor_bookings`);
  await db.delete(platforms).where(eq(platforms.id, platformId));
  return true;
}

async function findPlatformId(db: Db, platform: Platform): Promise<string | undefined> {
  const found = await db
    .select({ id: platforms.id })
    .from(platforms)
    .where(and(eq(platforms.issuer, platform.issuer), eq(platforms.clientId, platform.clientId)));
  return found[0]?.id;
}

function checkOptions(o: SeedOptions): void {
  const problems: string[] = [];
  const whole = (name: keyof SeedOptions, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) problems.push(`${name} must be a whole number, at least ${min} (got ${value})`);
  };
  whole('courses', o.courses, 1);
  whole('students', o.students, 0);
  whole('tutors', o.tutors, 0);
  whole('occurrences', o.occurrences, 0);
  whole('years', o.years, 1);
  if (!Number.isInteger(o.seed)) problems.push(`seed must be a whole number (got ${o.seed})`);
  if (!DateTime.fromISO(o.startDate, { zone: 'utc' }).isValid || !/^\d{4}-\d{2}-\d{2}$/.test(o.startDate)) {
    problems.push(`startDate must be a date such as 2026-01-05 (got ${o.startDate})`);
  }
  if (problems.length > 0) throw new SeedError(`Cannot seed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

// ---- Generation -------------------------------------------------------------------------------

interface Person {
  id: string;
  sub: string;
  zone: string;
}

interface CoursePlan {
  id: string;
  number: number;
  label: string;
  department: Department;
  /** 1..4 from the course number (BIO 101 is 1, BIO 410 is 4); picks the grade-level tag. */
  level: number;
  instructor: Person;
  tutors: Person[];
  students: string[];
  topicPicker: () => TopicTag;
}

interface Rows {
  platforms: Row<typeof platforms>[];
  deployments: Row<typeof deployments>[];
  courses: Row<typeof courses>[];
  users: Row<typeof users>[];
  memberships: Row<typeof memberships>[];
  tags: Row<typeof tags>[];
  userExpertiseTags: Row<typeof userExpertiseTags>[];
  sessionSeries: Row<typeof sessionSeries>[];
  seriesTags: Row<typeof seriesTags>[];
  sessionResources: Row<typeof sessionResources>[];
  seriesInvitees: Row<typeof seriesInvitees>[];
  occurrences: Row<typeof occurrences>[];
  rsvps: Row<typeof rsvps>[];
  tutorBookings: Row<typeof tutorBookings>[];
  availabilityHours: Row<typeof availabilityHours>[];
  availabilityExceptions: Row<typeof availabilityExceptions>[];
}

interface Generator {
  random: Random;
  /** Ids come from a stream of their own, mixed with the platform, so a second bench platform seeded alike never collides. */
  ids: Random;
  options: SeedOptions;
  platformId: string;
  rows: Rows;
  catalogue: Catalogue;
  pickZone: () => string;
  pickHour: () => number;
  /** Each tutor's booked time, so that nobody is booked twice at once. */
  ledger: BookingLedger;
  /** Everyone who may set availability up. */
  tutors: Person[];
  students: Person[];
}

function generateUniversity(options: SeedOptions, platform: Platform): Rows {
  const ids = createRandom(options.seed ^ hashString(`${platform.issuer}|${platform.clientId}`));
  const platformId = ids.uuid();
  const rows: Rows = {
    platforms: [{ id: platformId, issuer: platform.issuer, clientId: platform.clientId, name: 'Bench University LMS', ...placeholderEndpoints(platform.issuer) }],
    deployments: [{ platformId, deploymentId: platform.deploymentId }],
    courses: [], users: [], memberships: [], tags: [], userExpertiseTags: [], sessionSeries: [], seriesTags: [],
    sessionResources: [], seriesInvitees: [], occurrences: [], rsvps: [], tutorBookings: [], availabilityHours: [], availabilityExceptions: [],
  };
  const random = createRandom(options.seed);
  const pickZone = weightedPicker(random, ZONES.map(([, weight]) => weight));
  const pickHour = weightedPicker(random, HOUR_WEIGHTS);
  const gen: Generator = {
    random, ids, options, platformId, rows,
    catalogue: addTagCatalogue(ids, platformId, rows),
    pickZone: () => ZONES[pickZone()]![0],
    pickHour: () => FIRST_HOUR + pickHour(),
    ledger: new BookingLedger(),
    tutors: [],
    students: [],
  };
  const plans = addCourses(gen);
  addPeople(gen, plans);
  addSessions(gen, plans);
  addAvailability(gen);
  return rows;
}

// The bench registers the platform again with the real endpoints of its simulated LMS.
function placeholderEndpoints(issuer: string) {
  const base = issuer.replace(/\/+$/, '');
  return { authEndpoint: `${base}/auth`, tokenEndpoint: `${base}/token`, keysetUrl: `${base}/jwks` };
}

function addTagCatalogue(ids: Random, platformId: string, rows: Rows): Catalogue {
  const tag = (category: 'program' | 'topic' | 'grade_level', name: string) => {
    const id = ids.uuid();
    rows.tags.push({ id, platformId, category, name });
    return { id, name };
  };
  return {
    programs: PROGRAMS.map((name) => tag('program', name)),
    gradeLevels: GRADE_LEVELS.map((name) => tag('grade_level', name)),
    generalTopics: GENERAL_TOPICS.map((name) => tag('topic', name)),
    departmentTopics: new Map(DEPARTMENTS.map((d) => [d.code, d.topics.map((name) => tag('topic', name))])),
  };
}

function addCourses(gen: Generator): CoursePlan[] {
  const { random, ids, rows, platformId, options } = gen;
  const plans: CoursePlan[] = [];
  for (let n = 1; n <= options.courses; n++) {
    const { department, number, title, section } = courseAt(n - 1);
    const label = `${department.code} ${number}`;
    const id = ids.uuid();
    const fullTitle = `${label}: ${title}${section > 1 ? ` (Section ${section})` : ''}`;
    rows.courses.push({ id, platformId, contextId: `course-${n}`, title: fullTitle, label });
    const instructor = addUser(gen, `instructor-${n}`);
    addMembership(gen, id, instructor.id, 'instructor');
    const topicPicker = topicPickerFor(random, department, gen.catalogue);
    plans.push({ id, number: n, label, department, level: Math.min(4, Math.max(1, Math.floor(number / 100))), instructor, tutors: [], students: [], topicPicker });
  }
  return plans;
}

function addUser(gen: Generator, sub: string, meetingUrl: string | null = null): Person {
  const { random, ids, rows, platformId } = gen;
  const givenName = random.pick(GIVEN_NAMES);
  const familyName = random.pick(FAMILY_NAMES);
  const zone = gen.pickZone();
  const id = ids.uuid();
  rows.users.push({ id, platformId, sub, name: `${givenName} ${familyName}`, givenName, familyName, email: `${sub}@bench.tutorkit.test`, timeZone: zone, meetingUrl });
  return { id, sub, zone };
}

/** Most tutors have a video meeting room of their own: a personal link or a meeting number. */
function tutorMeetingUrl(random: Random, sub: string): string | null {
  if (!random.chance(0.6)) return null;
  return random.chance(0.5) ? `https://meet.bench.tutorkit.test/${sub}` : `https://video.bench.tutorkit.test/j/${random.int(100_000_000, 999_999_999)}`;
}

function addMembership(gen: Generator, courseId: string, userId: string, role: Role): void {
  gen.rows.memberships.push({ courseId, userId, role, ltiRoles: [LTI_ROLES[role]] });
}

/** Students in 2-4 courses, the intro courses much bigger; tutors in 1-3, every course covered first. */
function addPeople(gen: Generator, plans: CoursePlan[]): void {
  const { random, options } = gen;
  // Intro (1xx) courses draw most enrolments; the random factor keeps two 101s from being twins.
  const popularity = plans.map((p) => [8, 3, 1.5, 1][p.level - 1]! * (0.6 + random.next() * 0.8));
  const pickCourse = weightedPicker(random, popularity);
  const chooseCourses = (howMany: number, first?: number) => {
    const chosen = new Set<number>(first === undefined ? [] : [first]);
    const wanted = Math.min(howMany, plans.length);
    while (chosen.size < wanted) chosen.add(pickCourse());
    return [...chosen].map((i) => plans[i]!);
  };
  for (let s = 1; s <= options.students; s++) {
    const student = addUser(gen, `student-${s}`);
    gen.students.push(student);
    for (const plan of chooseCourses(random.int(2, 4))) {
      plan.students.push(student.id);
      addMembership(gen, plan.id, student.id, 'student');
    }
  }
  for (let t = 1; t <= options.tutors; t++) {
    const tutor = addUser(gen, `tutor-${t}`, tutorMeetingUrl(random, `tutor-${t}`));
    gen.tutors.push(tutor);
    const taught = chooseCourses(random.int(1, 3), (t - 1) % plans.length);
    for (const plan of taught) {
      plan.tutors.push(tutor);
      addMembership(gen, plan.id, tutor.id, 'tutor');
    }
    addExpertise(gen, tutor.id, taught);
  }
}

function addExpertise(gen: Generator, tutorId: string, taught: CoursePlan[]): void {
  const { random, catalogue, rows } = gen;
  if (!random.chance(0.75)) return;
  const candidates = [...catalogue.generalTopics, ...taught.flatMap((p) => catalogue.departmentTopics.get(p.department.code) ?? [])];
  const chosen = new Set(random.sample(candidates, random.int(1, 4)).map((t) => t.id));
  if (random.chance(0.4)) chosen.add(catalogue.gradeLevels[taught[0]!.level - 1]!.id);
  for (const tagId of chosen) rows.userExpertiseTags.push({ userId: tutorId, tagId });
}

// ---- Sessions ---------------------------------------------------------------------------------

/**
 * Lays sessions until the occurrence budget is spent. Term-long weekly series carry the bulk;
 * exam-week series and one-offs pile up in weeks 7, 14 and 15 of each term. The last series is
 * cut to the occurrences left, so the total is exactly what was asked. A series no tutor of the
 * course has time for is dropped, and another one is drawn.
 */
function addSessions(gen: Generator, plans: CoursePlan[]): void {
  const { random, options } = gen;
  const calendar = buildCalendar(options.startDate, options.years);
  const pickTerm = weightedPicker(random, calendar.terms.map((t) => t.weight));
  const pickCourse = weightedPicker(random, plans.map((p) => Math.pow(p.students.length, 0.7) + 1));
  let remaining = options.occurrences;
  let fruitless = 0;
  while (remaining > 0 && fruitless < 1_000) {
    const plan = plans[pickCourse()]!;
    const term = calendar.terms[pickTerm()]!;
    const kind: Kind = random.chance(0.22) ? 'weekly' : random.chance(0.5) ? 'exam' : 'one-off';
    // Exam-week sessions are mostly tagged "Exam preparation", the most popular topic of all.
    const topic = kind === 'exam' && random.chance(0.6) ? gen.catalogue.generalTopics[0]! : plan.topicPicker();
    const series = planSeries(gen, kind, term, plan.label, topic);
    const added = addSeries(gen, plan, series, calendar.window, remaining);
    fruitless = added === 0 ? fruitless + 1 : 0;
    remaining -= added;
  }
}

function planSeries(gen: Generator, kind: Kind, term: Term, label: string, topic: TopicTag): SeriesPlan {
  const { random } = gen;
  const startTime = `${String(gen.pickHour()).padStart(2, '0')}:${random.chance(0.7) ? '00' : '30'}`;
  return { kind, startTime, topic, ...planShape(random, kind, term, label, topic) };
}

function addSeries(gen: Generator, plan: CoursePlan, series: SeriesPlan, window: Window, budget: number): number {
  const { random, ids, rows } = gen;
  const staffing = staffSeries(gen, plan, series, window, budget);
  if (!staffing) return 0;
  const { tutors, timing, meetings } = staffing;
  const id = ids.uuid();
  rows.sessionSeries.push({
    id, courseId: plan.id, createdBy: tutors[0]!.id, name: series.name, description: describeSeries(series),
    timeZone: timing.zone, startDate: timing.startDate, startTime: timing.startTime, durationMinutes: timing.durationMinutes,
    repeat: timing.repeat, invitedOnly: random.chance(series.kind === 'one-off' ? 0.8 : 0.4),
    meetingUrl: random.chance(0.6) ? `https://meet.bench.tutorkit.test/${id.slice(0, 8)}` : null, autoResources: random.chance(0.2),
  });
  const students = random.sample(plan.students, random.int(3, 12));
  for (const tutor of tutors) rows.seriesInvitees.push({ seriesId: id, courseId: plan.id, userId: tutor.id, role: 'tutor' });
  for (const userId of students) rows.seriesInvitees.push({ seriesId: id, courseId: plan.id, userId, role: 'student' });
  addSeriesTags(gen, plan, id, series);
  addResources(gen, plan, id);
  addOccurrences(gen, { courseId: plan.id, seriesId: id, tutors, students }, staffing, window);
  return meetings.length;
}

type Window = { from: Date; to: Date };

interface Staffing {
  /** The first one is stored as the series' creator (the zone stays the planner's, who may be another tutor). */
  tutors: Person[];
  timing: SeriesTiming;
  meetings: Meeting[];
  /** Indexes of the meetings the first tutor already had another session at: cancelled. */
  away: Set<number>;
}

/**
 * Who runs a series. One of the course's tutors (its instructor when it has none) plans it in
 * their zone; then the tutors are asked, the planner first and the others nearest in zone first:
 * the first one free for every meeting takes it, and one time in two a second tutor who is free
 * too joins. When nobody is free, the least busy tutor takes it and the meetings they are busy
 * for are cancelled, as long as that is under a quarter of them; otherwise nobody runs it (null).
 */
function staffSeries(gen: Generator, plan: CoursePlan, series: SeriesPlan, window: Window, budget: number): Staffing | null {
  const { random, ledger } = gen;
  const candidates = plan.tutors.length > 0 ? random.sample(plan.tutors, plan.tutors.length) : [plan.instructor];
  const home = standardOffset(candidates[0]!.zone);
  candidates.sort((a, b) => Math.abs(standardOffset(a.zone) - home) - Math.abs(standardOffset(b.zone) - home));
  const wanted = random.int(1, 2);
  // Laid once: expanding a rule is most of the seed's generating time.
  const { timing, meetings } = laySeries(series, candidates[0]!.zone, window, budget);
  if (meetings.length === 0) return null;
  let first: { tutor: Person; clashes: number[] } | undefined;
  for (const tutor of candidates) {
    const clashes = ledger.clashes(tutor.id, meetings);
    if (!first || clashes.length < first.clashes.length) first = { tutor, clashes };
    if (clashes.length === 0) break;
  }
  if (first!.clashes.length > 0 && first!.clashes.length * 4 >= meetings.length) return null;
  const away = new Set(first!.clashes);
  const tutors = [first!.tutor];
  for (const tutor of candidates) {
    if (tutors.length >= wanted) break;
    if (tutor !== first!.tutor && ledger.clashes(tutor.id, meetings).every((i) => away.has(i))) tutors.push(tutor);
  }
  return { tutors, timing, meetings, away };
}

const offsets = new Map<string, number>();

/** A zone's offset from UTC in January, in minutes: how far apart two tutors live. */
function standardOffset(zone: string): number {
  let offset = offsets.get(zone);
  if (offset === undefined) offsets.set(zone, (offset = DateTime.fromISO('2026-01-15T12:00:00Z', { zone }).offset));
  return offset;
}

/** The series' meetings in `zone` within the seeded years, cut to the occurrences left. */
function laySeries(series: SeriesPlan, zone: string, window: Window, budget: number): { timing: SeriesTiming; meetings: Meeting[] } {
  const timing: SeriesTiming = { startDate: series.startDate, startTime: series.startTime, durationMinutes: series.durationMinutes, repeat: series.repeat, zone };
  let meetings = expandOccurrences(timing, window);
  if (meetings.length > budget) {
    meetings = meetings.slice(0, budget);
    if (timing.repeat.freq !== 'none') timing.repeat = { ...timing.repeat, end: { type: 'count', count: budget } };
  }
  return { timing, meetings };
}

/**
 * Each tutor's booked time as 15-minute slots. Sessions start on the hour or the half hour and
 * last whole quarters, in zones a whole number of hours from UTC, so slots are exact; a session
 * off the grid would take every slot it touches, which can only refuse more, never allow an overlap.
 */
class BookingLedger {
  readonly #slots = new Map<string, Set<number>>();

  /** The indexes of `meetings` that overlap a session `tutorId` is already booked for. */
  clashes(tutorId: string, meetings: Meeting[]): number[] {
    const taken = this.#slots.get(tutorId);
    if (!taken) return [];
    const found: number[] = [];
    meetings.forEach((meeting, index) => {
      const [first, end] = slotsOf(meeting);
      for (let slot = first; slot < end; slot++) {
        if (taken.has(slot)) {
          found.push(index);
          return;
        }
      }
    });
    return found;
  }

  book(tutorId: string, meeting: Meeting): void {
    let taken = this.#slots.get(tutorId);
    if (!taken) this.#slots.set(tutorId, (taken = new Set()));
    const [first, end] = slotsOf(meeting);
    for (let slot = first; slot < end; slot++) taken.add(slot);
  }
}

const SLOT_MS = 15 * 60_000;

/** The 15-minute slots a meeting touches: [first, end). */
function slotsOf(meeting: Meeting): [number, number] {
  return [Math.floor(meeting.start.getTime() / SLOT_MS), Math.ceil(meeting.end.getTime() / SLOT_MS)];
}

function addSeriesTags(gen: Generator, plan: CoursePlan, seriesId: string, series: SeriesPlan): void {
  const { random, catalogue, rows } = gen;
  const chosen = new Set([series.topic.id]);
  if (random.chance(0.3)) chosen.add(plan.topicPicker().id);
  if (random.chance(0.8)) chosen.add(catalogue.gradeLevels[plan.level - 1]!.id);
  if (random.chance(0.15)) chosen.add(random.pick(catalogue.programs).id);
  for (const tagId of chosen) rows.seriesTags.push({ seriesId, tagId, courseId: plan.id });
}

function addResources(gen: Generator, plan: CoursePlan, seriesId: string): void {
  const { random, rows } = gen;
  if (!random.chance(0.3)) return;
  const howMany = random.int(1, 3);
  for (let position = 0; position < howMany; position++) {
    const exit = random.chance(0.25);
    const title = random.pick(exit ? EXIT_RESOURCES : BEFORE_RESOURCES);
    const url = `https://lms.bench.tutorkit.test/courses/${plan.number}/files/${random.int(1000, 9999)}`;
    rows.sessionResources.push({ id: gen.ids.uuid(), seriesId, courseId: plan.id, kind: exit ? 'exit' : 'before', title, url, position });
  }
}

/**
 * The meetings the tutor was away for, and a few more, are cancelled; every other one books its
 * tutors. Some students RSVP'd to the ones before the seed's "today" (the middle of the seeded
 * years: fixed, so re-runs agree whatever the real date).
 */
function addOccurrences(gen: Generator, series: { courseId: string; seriesId: string; tutors: Person[]; students: string[] }, staffing: Staffing, window: Window) {
  const { random, ids, rows, ledger } = gen;
  const { courseId, seriesId, tutors, students } = series;
  const today = (window.from.getTime() + window.to.getTime()) / 2;
  staffing.meetings.forEach((meeting, index) => {
    const id = ids.uuid();
    const cancelled = random.chance(0.015) || staffing.away.has(index);
    rows.occurrences.push({ id, seriesId, courseId, startsAt: meeting.start, endsAt: meeting.end, originalStartsAt: meeting.start, status: cancelled ? 'cancelled' : 'scheduled' });
    if (cancelled) return;
    for (const tutor of tutors) {
      ledger.book(tutor.id, meeting);
      rows.tutorBookings.push({ occurrenceId: id, tutorId: tutor.id, seriesId, startsAt: meeting.start, endsAt: meeting.end });
    }
    if (meeting.start.getTime() >= today || students.length === 0 || !random.chance(0.35)) return;
    for (const userId of random.sample(students, random.int(1, Math.min(4, students.length)))) {
      const response = random.chance(0.7) ? 'going' : random.chance(0.5) ? 'maybe' : 'declined';
      const respondedAt = new Date(meeting.start.getTime() - random.int(1, 72) * 3_600_000);
      rows.rsvps.push({ occurrenceId: id, userId, courseId, response, respondedAt });
    }
  });
}

// ---- Availability -----------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/**
 * Weekly hours for 85% of tutors and 30% of students, in their own zone, and a few dates that
 * differ. A tutor who runs sessions gets hours drawn around them (hoursAround); students and
 * idle tutors pick one of the common weekly patterns.
 */
function addAvailability(gen: Generator): void {
  const { random } = gen;
  const pickPattern = weightedPicker(random, WEEK_PATTERNS.map((p) => p.weight));
  const patternFor = () => patternHours(random, WEEK_PATTERNS[pickPattern()]!.ranges);
  const booked = new Map<string, Meeting[]>();
  for (const b of gen.rows.tutorBookings) {
    let list = booked.get(b.tutorId);
    if (!list) booked.set(b.tutorId, (list = []));
    list.push({ start: b.startsAt, end: b.endsAt });
  }
  for (const tutor of gen.tutors) {
    if (!random.chance(0.85)) continue;
    const meetings = booked.get(tutor.id) ?? [];
    const hours = meetings.length >= 10 ? hoursAround(random, meetings, tutor.zone) : patternFor();
    addHours(gen, tutor, hours, random.int(0, 4));
  }
  for (const student of gen.students) {
    if (random.chance(0.3)) addHours(gen, student, patternFor(), random.pick([0, 0, 1, 1, 2]));
  }
}

/** Stores a person's weekly hours and `exceptions` dates that differ (see addException). */
function addHours(gen: Generator, person: Person, hours: Hours[], exceptions: number): void {
  const { ids, rows } = gen;
  for (const h of [...hours].sort((a, b) => a.weekday - b.weekday || a.start - b.start)) {
    rows.availabilityHours.push({ id: ids.uuid(), userId: person.id, weekday: h.weekday, startTime: clockTime(h.start), endTime: clockTime(h.end), timeZone: person.zone });
  }
  const first = Date.parse(`${gen.options.startDate}T00:00:00Z`);
  const dates = new Set<number>();
  while (dates.size < exceptions) dates.add(first + gen.random.int(0, gen.options.years * 364 - 1) * DAY_MS);
  for (const day of [...dates].sort((a, b) => a - b)) addException(gen, person, hours, day);
}

/**
 * One date that differs from the week, entered some days ahead: a day off on a day the person
 * usually has hours (mostly), or extra hours: two hours after their usual end, or before their
 * usual start, or 10:00-14:00 on a day they have none.
 */
function addException(gen: Generator, person: Person, hours: Hours[], day: number): void {
  const { random, ids, rows } = gen;
  const weekday = ((new Date(day).getUTCDay() + 6) % 7) + 1;
  const usual = hours.filter((h) => h.weekday === weekday);
  const latest = Math.max(...usual.map((h) => h.end));
  const earliest = Math.min(...usual.map((h) => h.start));
  let extra: [number, number] | null = null;
  if (usual.length === 0) extra = [600, 840];
  else if (!random.chance(0.6)) extra = latest <= 1320 ? [latest, latest + 120] : earliest >= 120 ? [earliest - 120, earliest] : null;
  rows.availabilityExceptions.push({
    id: ids.uuid(), userId: person.id, date: new Date(day).toISOString().slice(0, 10), kind: extra ? 'extra_hours' : 'day_off',
    startTime: extra ? clockTime(extra[0]) : null, endTime: extra ? clockTime(extra[1]) : null, timeZone: person.zone,
    createdAt: new Date(day - random.int(1, 30) * DAY_MS + 12 * 3_600_000),
  });
}

function countAvailability(rows: Rows): SeedSummary['availability'] {
  return { people: new Set(rows.availabilityHours.map((h) => h.userId)).size, hours: rows.availabilityHours.length, exceptions: rows.availabilityExceptions.length };
}

// ---- Loading ----------------------------------------------------------------------------------

/** Loads every table in one transaction, in foreign-key order, timing each. */
async function loadRows(db: Db, rows: Rows, log: (line: string) => void): Promise<TableTiming[]> {
  const tables: TableTiming[] = [];
  await db.transaction(async (tx) => {
    const load = async <T extends PgTable>(name: string, table: T, list: Row<T>[]) => {
      const started = performance.now();
      await insertInChunks(tx, table, list);
      const ms = Math.round(performance.now() - started);
      tables.push({ table: name, rows: list.length, ms });
      log(`  ${name.padEnd(23)} ${count(list.length).padStart(9)} rows  ${seconds(ms).padStart(7)}`);
    };
    await load('platforms', platforms, rows.platforms);
    await load('deployments', deployments, rows.deployments);
    await load('courses', courses, rows.courses);
    await load('users', users, rows.users);
    await load('memberships', memberships, rows.memberships);
    await load('tags', tags, rows.tags);
    await load('user_expertise_tags', userExpertiseTags, rows.userExpertiseTags);
    await load('availability_hours', availabilityHours, rows.availabilityHours);
    await load('availability_exceptions', availabilityExceptions, rows.availabilityExceptions);
    await load('session_series', sessionSeries, rows.sessionSeries);
    await load('series_tags', seriesTags, rows.seriesTags);
    await load('session_resources', sessionResources, rows.sessionResources);
    await load('series_invitees', seriesInvitees, rows.seriesInvitees);
    await load('occurrences', occurrences, rows.occurrences);
    await load('rsvps', rsvps, rows.rsvps);
    // Checked row by row against the exclusion constraint: the proof that nobody is double-booked.
    await load('tutor_bookings', tutorBookings, rows.tutorBookings);
  });
  return tables;
}

// ---- Command line -----------------------------------------------------------------------------

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeOptions(o: SeedOptions): string {
  return `${count(o.courses)} courses, ${count(o.students)} students, ${count(o.tutors)} tutors, ${count(o.occurrences)} occurrences ` +
    `over ${o.years} year${o.years === 1 ? '' : 's'} from ${o.startDate} (seed ${o.seed})`;
}

const wholeNumber = (name: string) =>
  z.string().regex(/^\d+$/, { error: `--${name} must be a whole number` }).transform(Number).optional();

const Args = z.object({
  courses: wholeNumber('courses'),
  students: wholeNumber('students'),
  tutors: wholeNumber('tutors'),
  occurrences: wholeNumber('occurrences'),
  seed: wholeNumber('seed'),
  years: wholeNumber('years'),
  'start-date': z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: '--start-date must be a date such as 2026-01-05' }).optional(),
  scale: z.string().regex(/^\d*\.?\d+$/, { error: '--scale must be a positive number such as 0.1' }).transform(Number).optional(),
  reset: z.boolean().optional(),
});

const USAGE = 'Usage: npm run seed:large -- [--courses N] [--students N] [--tutors N] [--occurrences N] [--seed N] [--start-date YYYY-MM-DD] [--years N] [--scale 0.1] [--reset]';

/** The options a command line asks for: --scale multiplies the defaults, explicit counts win. */
export function readSeedArgs(argv: string[]): { options: SeedOptions; reset: boolean } | 'help' {
  const spec = { type: 'string' } as const;
  const { values } = parseArgs({
    args: argv,
    options: { courses: spec, students: spec, tutors: spec, occurrences: spec, seed: spec, years: spec, 'start-date': spec, scale: spec, reset: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  const { help: _help, ...rest } = values;
  const parsed = Args.safeParse(rest);
  if (!parsed.success) throw new SeedError(`${parsed.error.issues.map((i) => `  ${i.message}`).join('\n')}\n\n${USAGE}`);
  const a = parsed.data;
  const scale = a.scale ?? 1;
  if (scale <= 0) throw new SeedError(`  --scale must be more than 0\n\n${USAGE}`);
  const scaled = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  const options: SeedOptions = {
    ...DEFAULT_SEED,
    courses: a.courses ?? scaled(DEFAULT_SEED.courses, 1),
    students: a.students ?? scaled(DEFAULT_SEED.students, 0),
    tutors: a.tutors ?? scaled(DEFAULT_SEED.tutors, 0),
    occurrences: a.occurrences ?? scaled(DEFAULT_SEED.occurrences, 0),
    seed: a.seed ?? DEFAULT_SEED.seed,
    years: a.years ?? DEFAULT_SEED.years,
    startDate: a['start-date'] ?? DEFAULT_SEED.startDate,
  };
  return { options, reset: a.reset ?? false };
}

async function main(): Promise<void> {
  const args = readSeedArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const config = loadConfig();
  const where = config.databaseUrl ? describeUrl(config.databaseUrl) : config.dataDir;
  const say = (line: string) => process.stdout.write(line + '\n');
  const database = await openSeedDatabase(config);
  if (database.lock?.tookOver) say(database.lock.tookOver);
  try {
    await database.ping();
    await applyMigrations(database);
    if (args.reset) {
      const started = performance.now();
      if (await deleteSeed(database)) say(`Deleted the previous bench data in ${seconds(performance.now() - started)}.`);
    }
    say(`Seeding ${where}.`);
    const report = await seedLarge(database, args.options, say);
    const loadMs = report.ms - report.generateMs - report.analyzeMs;
    say(`\nSeeded in ${seconds(report.ms)} (generating ${seconds(report.generateMs)}, loading ${seconds(loadMs)}, analyzing ${seconds(report.analyzeMs)}):`);
    say(`  ${report.courses.length} courses, ${count(report.students)} students, ${count(report.tutors)} tutors, ${count(report.courses.length)} instructors`);
    say(`  ${count(report.series)} series, ${count(report.occurrences)} occurrences, ${count(report.invitations)} invitations`);
    say(`  ${count(report.bookings)} tutor bookings, none overlapping; weekly hours for ${count(report.availability.people)} people (${count(report.availability.hours)} ranges, ${count(report.availability.exceptions)} dates that differ)`);
  } finally {
    await database.close();
  }
}

/** Seeding goes around TutorKit's services: never into a directory a running server owns. */
async function openSeedDatabase(config: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  try {
    return await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, owner: 'seed:large' });
  } catch (err) {
    if (err instanceof DirectoryLockedError) throw new SeedError(err.message);
    throw err;
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err: unknown) => {
    const known = err instanceof SeedError || err instanceof ConfigError;
    process.stderr.write(`\nseed:large failed.\n${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n\n`);
    process.exit(1);
  });
}
