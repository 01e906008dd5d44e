// npm run seed:large -- [--courses N] [--students N] [--tutors N] [--occurrences N] [--seed N]
//   [--start-date YYYY-MM-DD] [--years N] [--scale 0.1] [--reset]
// Fills a database with a synthetic university for benchmarks: the same seed gives the same rows
// (ids included), so timings from two runs compare like for like. Everything is generated in
// memory first, then loaded in one transaction with INSERTs of 10,000 rows each (one array per
// column, see insertInChunks): a failed seed leaves nothing behind. Works on PGlite and on server
// PostgreSQL. The default size loads in well under a minute on a server (see the issue's 3-minute bar).
//
// Not seeded yet: tutors' availability. It has no table until the availability issue adds one;
// that issue should add an `availability` step here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config.js';
import { describeUrl, openDatabase, type Database, type Db } from '../src/db/client.js';
import { applyMigrations } from '../src/db/migrate.js';
import {
  courses, deployments, memberships, occurrences, platforms, rsvps, seriesInvitees, seriesTags,
  sessionResources, sessionSeries, tags, userExpertiseTags, users,
} from '../src/db/schema.js';
import { expandOccurrences, type RepeatRule, type Weekday } from '../src/scheduling/recurrence.js';
import { createRandom, hashString, weightedPicker, type Random } from './random.js';

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
// Rows per INSERT: big enough that round trips do not matter, small enough to keep each statement's arrays a few MB.
const ROWS_PER_INSERT = 10_000;

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
  return {
    platformId: rows.platforms[0]!.id!,
    courses: rows.courses.map((c) => ({ id: c.id!, contextId: c.contextId })),
    students: options.students,
    tutors: options.tutors,
    series: rows.sessionSeries.length,
    occurrences: rows.occurrences.length,
    invitations: rows.seriesInvitees.length,
    ms: Math.round(performance.now() - started),
    generateMs: Math.round(generateMs),
    tables,
  };
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
  await db.execute(sql`vacuum session_series, rsvps`);
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
}

function generateUniversity(options: SeedOptions, platform: Platform): Rows {
  const ids = createRandom(options.seed ^ hashString(`${platform.issuer}|${platform.clientId}`));
  const platformId = ids.uuid();
  const rows: Rows = {
    platforms: [{ id: platformId, issuer: platform.issuer, clientId: platform.clientId, name: 'Bench University LMS', ...placeholderEndpoints(platform.issuer) }],
    deployments: [{ platformId, deploymentId: platform.deploymentId }],
    courses: [], users: [], memberships: [], tags: [], userExpertiseTags: [], sessionSeries: [], seriesTags: [],
    sessionResources: [], seriesInvitees: [], occurrences: [], rsvps: [],
  };
  const random = createRandom(options.seed);
  const pickZone = weightedPicker(random, ZONES.map(([, weight]) => weight));
  const pickHour = weightedPicker(random, HOUR_WEIGHTS);
  const gen: Generator = {
    random, ids, options, platformId, rows,
    catalogue: addTagCatalogue(ids, platformId, rows),
    pickZone: () => ZONES[pickZone()]![0],
    pickHour: () => FIRST_HOUR + pickHour(),
  };
  const plans = addCourses(gen);
  addPeople(gen, plans);
  addSessions(gen, plans);
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

function addUser(gen: Generator, sub: string): Person {
  const { random, ids, rows, platformId } = gen;
  const givenName = random.pick(GIVEN_NAMES);
  const familyName = random.pick(FAMILY_NAMES);
  const zone = gen.pickZone();
  const id = ids.uuid();
  rows.users.push({ id, platformId, sub, name: `${givenName} ${familyName}`, givenName, familyName, email: `${sub}@bench.tutorkit.test`, timeZone: zone });
  return { id, sub, zone };
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
    for (const plan of chooseCourses(random.int(2, 4))) {
      plan.students.push(student.id);
      addMembership(gen, plan.id, student.id, 'student');
    }
  }
  for (let t = 1; t <= options.tutors; t++) {
    const tutor = addUser(gen, `tutor-${t}`);
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

type Kind = 'weekly' | 'exam' | 'one-off';

interface SeriesPlan {
  kind: Kind;
  name: string;
  startDate: string;
  startTime: string;
  durationMinutes: number;
  repeat: RepeatRule;
  topic: TopicTag;
}

/**
 * Lays sessions until the occurrence budget is spent. Term-long weekly series carry the bulk;
 * exam-week series and one-offs pile up in weeks 7, 14 and 15 of each term. The last series is
 * cut to the occurrences left, so the total is exactly what was asked.
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

function addSeries(gen: Generator, plan: CoursePlan, series: SeriesPlan, window: { from: Date; to: Date }, budget: number): number {
  const { random, ids, rows } = gen;
  const tutors = random.sample(plan.tutors, random.int(1, 2));
  const creator = tutors[0] ?? plan.instructor;
  const timing = { ...series, zone: creator.zone };
  let meetings = expandOccurrences(timing, window);
  if (meetings.length === 0) return 0;
  if (meetings.length > budget) {
    meetings = meetings.slice(0, budget);
    if (timing.repeat.freq !== 'none') timing.repeat = { ...timing.repeat, end: { type: 'count', count: budget } };
  }
  const id = ids.uuid();
  rows.sessionSeries.push({
    id, courseId: plan.id, createdBy: creator.id, name: series.name, description: describeSeries(series),
    timeZone: timing.zone, startDate: timing.startDate, startTime: timing.startTime, durationMinutes: timing.durationMinutes,
    repeat: timing.repeat, invitedOnly: random.chance(series.kind === 'one-off' ? 0.8 : 0.4),
    meetingUrl: random.chance(0.6) ? `https://meet.bench.tutorkit.test/${id.slice(0, 8)}` : null, autoResources: random.chance(0.2),
  });
  const students = random.sample(plan.students, random.int(3, 12));
  for (const tutor of tutors.length > 0 ? tutors : [plan.instructor]) rows.seriesInvitees.push({ seriesId: id, courseId: plan.id, userId: tutor.id, role: 'tutor' });
  for (const userId of students) rows.seriesInvitees.push({ seriesId: id, courseId: plan.id, userId, role: 'student' });
  addSeriesTags(gen, plan, id, series);
  addResources(gen, plan, id);
  addOccurrences(gen, plan.id, id, meetings, students, window);
  return meetings.length;
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
 * A few occurrences are cancelled; some students RSVP'd to the ones before the seed's "today"
 * (the middle of the seeded years: fixed, so re-runs agree whatever the real date).
 */
function addOccurrences(gen: Generator, courseId: string, seriesId: string, meetings: { start: Date; end: Date }[], students: string[], window: { from: Date; to: Date }) {
  const { random, ids, rows } = gen;
  const today = (window.from.getTime() + window.to.getTime()) / 2;
  for (const meeting of meetings) {
    const id = ids.uuid();
    const cancelled = random.chance(0.015);
    rows.occurrences.push({ id, seriesId, courseId, startsAt: meeting.start, endsAt: meeting.end, originalStartsAt: meeting.start, status: cancelled ? 'cancelled' : 'scheduled' });
    if (cancelled || meeting.start.getTime() >= today || students.length === 0 || !random.chance(0.35)) continue;
    for (const userId of random.sample(students, random.int(1, Math.min(4, students.length)))) {
      const response = random.chance(0.7) ? 'going' : random.chance(0.5) ? 'maybe' : 'declined';
      const respondedAt = new Date(meeting.start.getTime() - random.int(1, 72) * 3_600_000);
      rows.rsvps.push({ occurrenceId: id, userId, courseId, response, respondedAt });
    }
  }
}

// ---- Calendar and series shapes ---------------------------------------------------------------

interface Term {
  /** Monday of the term's first week, as a floating local date. */
  start: DateTime;
  weeks: number;
  examWeeks: number[];
  /** How much tutoring the term gets: summer is quiet. */
  weight: number;
}

// Weeks counted from the seed's start date; 52-week years keep every term starting on the same weekday.
const TERM_SHAPES = [
  { offsetWeeks: 0, weeks: 15, examWeeks: [7, 14, 15], weight: 1 }, // spring
  { offsetWeeks: 20, weeks: 8, examWeeks: [4, 8], weight: 0.15 }, // summer
  { offsetWeeks: 33, weeks: 15, examWeeks: [7, 14, 15], weight: 1 }, // fall
];

function buildCalendar(startDate: string, years: number): { terms: Term[]; window: { from: Date; to: Date } } {
  const first = DateTime.fromISO(startDate, { zone: 'utc' });
  const terms = Array.from({ length: years }, (_, year) =>
    TERM_SHAPES.map(({ offsetWeeks, ...shape }) => ({ ...shape, start: first.plus({ weeks: 52 * year + offsetWeeks }) })),
  ).flat();
  return { terms, window: { from: first.toJSDate(), to: first.plus({ years }).toJSDate() } };
}

const WORKDAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR'];
const DAY_PAIRS: Weekday[][] = [['MO', 'WE'], ['TU', 'TH'], ['WE', 'FR'], ['MO', 'TH'], ['TU', 'FR']];
const ALL_DAYS: Weekday[] = [...WORKDAYS, 'SA', 'SU'];
// Tutoring from 8:00 to 20:00 local, busiest in the afternoon.
const FIRST_HOUR = 8;
const HOUR_WEIGHTS = [1, 2, 3, 3, 3, 3, 4, 4, 4, 3, 3, 2, 1];

/** The local date of `day` (0 = Monday) in 1-based `week` of a term. */
function dayOf(term: Term, week: number, day: number): string {
  return term.start.plus({ weeks: week - 1, days: day }).toISODate()!;
}

function planSeries(gen: Generator, kind: Kind, term: Term, label: string, topic: TopicTag): SeriesPlan {
  const { random } = gen;
  const startTime = `${String(gen.pickHour()).padStart(2, '0')}:${random.chance(0.7) ? '00' : '30'}`;
  const shape = kind === 'weekly' ? planWeekly(random, term, label, topic) : kind === 'exam' ? planExam(random, term, label, topic) : planOneOff(random, term, label, topic);
  return { kind, startTime, topic, ...shape };
}

type Shape = Pick<SeriesPlan, 'name' | 'startDate' | 'durationMinutes' | 'repeat'>;

/** A study group from the first weeks of term to its end (sometimes stopping early). */
function planWeekly(random: Random, term: Term, label: string, topic: TopicTag): Shape {
  const firstWeek = random.pick([1, 1, 1, 2, 2, 3]);
  const days = random.chance(0.55) ? [random.pick(WORKDAYS)] : random.pick(DAY_PAIRS);
  const lastWeek = random.chance(0.2) ? random.int(Math.min(term.weeks, firstWeek + 4), term.weeks) : term.weeks;
  return {
    name: random.pick([`${label} study group`, `${label} weekly review`, `${topic.name} drop-in`, `${label} problem-solving session`, `${topic.name} workshop`]),
    startDate: dayOf(term, firstWeek, WORKDAYS.indexOf(days[0]!)),
    durationMinutes: random.pick([45, 60, 60, 60, 90, 90, 120]),
    repeat: { freq: 'weekly', interval: 1, weekdays: days, end: { type: 'until', date: dayOf(term, lastWeek, 6) } },
  };
}

/** Review sessions in an exam week: a run of days, Monday-Wednesday-Friday, or a single one. */
function planExam(random: Random, term: Term, label: string, topic: TopicTag): Shape {
  const week = random.pick(term.examWeeks);
  const exam = week > term.weeks * 0.6 ? 'final exam' : 'midterm';
  const about = topic.name === 'Exam preparation' ? '' : `: ${topic.name}`;
  const name = random.pick([`${label} ${exam} review`, `${label} ${exam} prep${about}`, `${label} ${exam} Q&A`]);
  const durationMinutes = random.pick([60, 90, 120, 120]);
  const shape = random.next();
  if (shape < 0.45) {
    return { name, durationMinutes, startDate: dayOf(term, week, random.int(0, 1)), repeat: { freq: 'daily', interval: 1, end: { type: 'count', count: random.int(3, 5) } } };
  }
  if (shape < 0.8) {
    // Through the next week too when that is also an exam week (finals run two weeks).
    const count = term.examWeeks.includes(week + 1) ? 6 : 3;
    return { name, durationMinutes, startDate: dayOf(term, week, 0), repeat: { freq: 'weekly', interval: 1, weekdays: ['MO', 'WE', 'FR'], end: { type: 'count', count } } };
  }
  return { name, durationMinutes, startDate: dayOf(term, week, random.int(0, 4)), repeat: { freq: 'none' } };
}

/** A single session: half of them in exam weeks, a few at weekends. */
function planOneOff(random: Random, term: Term, label: string, topic: TopicTag): Shape {
  const week = random.chance(0.5) ? random.pick(term.examWeeks) : random.int(1, term.weeks);
  const day = ALL_DAYS.indexOf(random.chance(0.9) ? random.pick(WORKDAYS) : random.pick(['SA', 'SU'] as Weekday[]));
  return {
    name: random.pick([`${topic.name} one-on-one`, `${label}: ${topic.name} help`, `${topic.name} Q&A`, `${label} drop-in`]),
    startDate: dayOf(term, week, day),
    durationMinutes: random.pick([30, 45, 60, 60]),
    repeat: { freq: 'none' },
  };
}

function describeSeries(series: SeriesPlan): string {
  const topic = series.topic.name.toLowerCase();
  if (series.kind === 'weekly') return `A weekly session on ${topic}. Bring your questions and your notes.`;
  if (series.kind === 'exam') return `Getting ready for the exam: past papers, ${topic === 'exam preparation' ? 'revision plans' : topic} and the questions you are stuck on.`;
  return `A short session on ${topic}.`;
}

// ---- Word lists -------------------------------------------------------------------------------

interface Department {
  code: string;
  /** Course numbers and titles, easiest first: the first courses seeded are intro courses. */
  courses: [number, string][];
  topics: string[];
}

interface TopicTag {
  id: string;
  name: string;
}

interface Catalogue {
  programs: TopicTag[];
  gradeLevels: TopicTag[];
  /** Most popular first: "Exam preparation" is the topic most sessions carry. */
  generalTopics: TopicTag[];
  departmentTopics: Map<string, TopicTag[]>;
}

const DEPARTMENTS: Department[] = [
  { code: 'BIO', courses: [[101, 'Introduction to Biology'], [110, 'Human Anatomy and Physiology'], [210, 'Cell Biology'], [230, 'Genetics'], [320, 'Microbiology'], [340, 'Ecology'], [410, 'Molecular Biology']], topics: ['Cell structure', 'Genetics problems', 'Lab reports', 'Evolution'] },
  { code: 'MATH', courses: [[101, 'College Algebra'], [151, 'Calculus I'], [221, 'Calculus II'], [231, 'Linear Algebra'], [310, 'Differential Equations'], [340, 'Real Analysis'], [410, 'Abstract Algebra']], topics: ['Algebra', 'Derivatives', 'Integration', 'Proofs', 'Matrices'] },
  { code: 'CHEM', courses: [[101, 'General Chemistry I'], [102, 'General Chemistry II'], [221, 'Organic Chemistry I'], [222, 'Organic Chemistry II'], [310, 'Physical Chemistry'], [420, 'Biochemistry']], topics: ['Stoichiometry', 'Reaction mechanisms', 'Thermodynamics', 'Spectroscopy'] },
  { code: 'PSYC', courses: [[101, 'Introduction to Psychology'], [210, 'Research Methods in Psychology'], [230, 'Developmental Psychology'], [310, 'Cognitive Psychology'], [350, 'Abnormal Psychology']], topics: ['Research design', 'APA style', 'Memory and cognition'] },
  { code: 'CS', courses: [[101, 'Introduction to Programming'], [150, 'Data Structures'], [250, 'Algorithms'], [310, 'Databases'], [340, 'Operating Systems'], [420, 'Machine Learning']], topics: ['Debugging', 'Recursion', 'Big-O analysis', 'SQL'] },
  { code: 'ENGL', courses: [[101, 'College Writing'], [102, 'Writing About Literature'], [210, 'British Literature'], [220, 'American Literature'], [330, 'Shakespeare'], [410, 'Literary Theory']], topics: ['Thesis statements', 'Citations', 'Close reading', 'Grammar'] },
  { code: 'STAT', courses: [[101, 'Introduction to Statistics'], [201, 'Probability'], [301, 'Regression Analysis'], [350, 'Bayesian Statistics']], topics: ['Hypothesis testing', 'Probability distributions', 'Confidence intervals', 'R programming'] },
  { code: 'ECON', courses: [[101, 'Principles of Microeconomics'], [102, 'Principles of Macroeconomics'], [210, 'Intermediate Microeconomics'], [301, 'Econometrics'], [340, 'International Trade']], topics: ['Supply and demand', 'Elasticity', 'Market structures'] },
  { code: 'PHYS', courses: [[151, 'Physics I: Mechanics'], [152, 'Physics II: Electricity and Magnetism'], [250, 'Modern Physics'], [310, 'Classical Mechanics'], [420, 'Quantum Mechanics']], topics: ['Kinematics', 'Electromagnetism', 'Free-body diagrams'] },
  { code: 'HIST', courses: [[101, 'World History to 1500'], [102, 'World History since 1500'], [210, 'United States History'], [320, 'Modern Europe']], topics: ['Primary sources', 'Historical argument'] },
  { code: 'SPAN', courses: [[101, 'Elementary Spanish I'], [102, 'Elementary Spanish II'], [201, 'Intermediate Spanish'], [310, 'Spanish Conversation']], topics: ['Verb conjugation', 'Conversation practice', 'Vocabulary'] },
  { code: 'BUS', courses: [[101, 'Introduction to Business'], [210, 'Financial Accounting'], [220, 'Managerial Accounting'], [310, 'Corporate Finance'], [340, 'Marketing Management']], topics: ['Financial statements', 'Case analysis', 'Spreadsheet modelling'] },
  { code: 'PHIL', courses: [[101, 'Introduction to Philosophy'], [120, 'Logic and Critical Thinking'], [210, 'Ethics'], [320, 'Philosophy of Mind']], topics: ['Formal logic', 'Argument analysis', 'Ethical theories'] },
  { code: 'NURS', courses: [[110, 'Foundations of Nursing'], [210, 'Pharmacology'], [310, 'Pathophysiology']], topics: ['Dosage calculation', 'Care plans'] },
];

// Intro courses of every department first, then the second course of each, and so on.
const COURSE_CATALOGUE = Array.from({ length: Math.max(...DEPARTMENTS.map((d) => d.courses.length)) }, (_, rank) =>
  DEPARTMENTS.flatMap((department) => {
    const course = department.courses[rank];
    return course ? [{ department, number: course[0], title: course[1] }] : [];
  }),
).flat();

/** The n-th course (0-based); past the catalogue's end, courses come back as further sections. */
function courseAt(index: number) {
  const course = COURSE_CATALOGUE[index % COURSE_CATALOGUE.length]!;
  return { ...course, section: Math.floor(index / COURSE_CATALOGUE.length) + 1 };
}

const GENERAL_TOPICS = ['Exam preparation', 'Homework help', 'Study skills', 'Problem sets', 'Essay writing', 'Note-taking', 'Time management', 'Presentation skills', 'Group projects', 'Test anxiety'];
const PROGRAMS = ['Honors College', 'STEM Scholars', 'First-Generation Students', 'Student Athletes', 'Pre-Med', 'Engineering', 'Nursing', 'Business School', 'International Students', 'Adult Learners'];
const GRADE_LEVELS = ['First year', 'Second year', 'Third year', 'Fourth year', 'Graduate'];

/** A department's topics, the top ones far more often than the tail ("popular topics"). */
function topicPickerFor(random: Random, department: Department, catalogue: Catalogue): () => TopicTag {
  const own = catalogue.departmentTopics.get(department.code) ?? [];
  const candidates = [...own, ...catalogue.generalTopics];
  const weights = [...own.map((_, rank) => 3 / (rank + 1)), ...catalogue.generalTopics.map((_, rank) => 4 / Math.pow(rank + 1, 1.3))];
  const pick = weightedPicker(random, weights);
  return () => candidates[pick()]!;
}

const ZONES: [string, number][] = [
  ['America/New_York', 35], ['America/Chicago', 20], ['America/Denver', 8], ['America/Los_Angeles', 17],
  ['Europe/London', 8], ['Europe/Berlin', 7], ['Europe/Madrid', 5],
];

const GIVEN_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Charlotte', 'Mateo', 'Ava', 'Lucas', 'Mia', 'Levi',
  'Isabella', 'Ethan', 'Aisha', 'Mohammed', 'Priya', 'Arjun', 'Mei', 'Wei', 'Yuki', 'Haruto', 'Fatima', 'Omar', 'Chloe', 'Kwame',
  'Amara', 'Chidi', 'Sofia', 'Diego', 'Valentina', 'Santiago', 'Hannah', 'Jonas', 'Lena', 'Lukas', 'Maya', 'Daniel', 'Grace',
  'Samuel', 'Zoe', 'Benjamin', 'Leila', 'Ibrahim', 'Nora', 'Finn', 'Ines', 'Tomás', 'Anika', 'Ravi', 'Hana', 'Min-jun', 'Seo-yeon',
  'Camila', 'Gabriel', 'Elena', 'Mateus', 'Aaliyah', 'Jamal', 'Siobhan', 'Connor', 'Freya', 'Oscar', 'Ingrid', 'Nikolai', 'Zainab',
];
const FAMILY_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Nguyen', 'Kim', 'Park', 'Chen', 'Wang', 'Li', 'Zhang',
  'Patel', 'Shah', 'Singh', 'Khan', 'Ali', 'Hassan', 'Okafor', 'Mensah', 'Adeyemi', 'Tanaka', 'Sato', 'Suzuki', 'Müller',
  'Schmidt', 'Schneider', 'Fischer', 'Rossi', 'Russo', 'Bianchi', 'Dubois', 'Moreau', 'Fernández', 'González', 'Silva', 'Santos',
  "O'Connor", 'Murphy', 'Kelly', 'Novak', 'Kowalski', 'Johansson', 'Andersen', 'Ivanova', 'Cohen', 'Levi', 'Haddad', 'Ramírez',
];

const BEFORE_RESOURCES = ['Practice problems', 'Lecture notes', 'Study guide', 'Worked solutions', 'Past exam paper', 'Reading list', 'Formula sheet'];
const EXIT_RESOURCES = ['Session feedback survey', 'Follow-up exercises', 'Answers to the practice problems'];

// ---- Loading ----------------------------------------------------------------------------------

type Executor = Pick<Db, 'execute'>;

/** Loads every table in one transaction, in foreign-key order, timing each. */
async function loadRows(db: Db, rows: Rows, log: (line: string) => void): Promise<TableTiming[]> {
  const tables: TableTiming[] = [];
  await db.transaction(async (tx) => {
    const load = async <T extends PgTable>(name: string, table: T, list: Row<T>[]) => {
      const started = performance.now();
      await insertInChunks(tx, table, list);
      const ms = Math.round(performance.now() - started);
      tables.push({ table: name, rows: list.length, ms });
      log(`  ${name.padEnd(20)} ${count(list.length).padStart(9)} rows  ${seconds(ms).padStart(7)}`);
    };
    await load('platforms', platforms, rows.platforms);
    await load('deployments', deployments, rows.deployments);
    await load('courses', courses, rows.courses);
    await load('users', users, rows.users);
    await load('memberships', memberships, rows.memberships);
    await load('tags', tags, rows.tags);
    await load('user_expertise_tags', userExpertiseTags, rows.userExpertiseTags);
    await load('session_series', sessionSeries, rows.sessionSeries);
    await load('series_tags', seriesTags, rows.seriesTags);
    await load('session_resources', sessionResources, rows.sessionResources);
    await load('series_invitees', seriesInvitees, rows.seriesInvitees);
    await load('occurrences', occurrences, rows.occurrences);
    await load('rsvps', rsvps, rows.rsvps);
  });
  return tables;
}

/**
 * Inserts rows as one array per column: `insert ... select ... from unnest($1::uuid[], ...)`.
 * A statement has one parameter per column however many rows it carries, so it is cheap to
 * build, send and plan (a VALUES list of 5,000 rows costs ~35,000 parameter objects), and it
 * runs the same on PGlite and server PostgreSQL. Each array is sent as a text literal, so neither
 * driver's own array conversion is involved.
 */
async function insertInChunks<T extends PgTable>(db: Executor, table: T, list: Row<T>[]): Promise<void> {
  if (list.length === 0) return;
  const first = list[0] as Record<string, unknown>;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const names = sql.join(columns.map(([, column]) => sql.identifier(column.name)), sql`, `);
  const aliases = sql.join(columns.map((_, i) => sql.identifier(`c${i}`)), sql`, `);
  // An array column travels as an array of its rows' literals, cast back per row.
  const picks = sql.join(columns.map(([, column], i) => (isArrayColumn(column) ? sql`${sql.identifier(`c${i}`)}::${sql.raw(column.getSQLType())}` : sql.identifier(`c${i}`))), sql`, `);
  for (let i = 0; i < list.length; i += ROWS_PER_INSERT) {
    const chunk = list.slice(i, i + ROWS_PER_INSERT) as Record<string, unknown>[];
    const arrays = columns.map(([key, column]) => {
      const literal = toArrayLiteral(chunk.map((row) => (row[key] == null ? null : column.mapToDriverValue(row[key]))));
      return sql`${literal}::${sql.raw(isArrayColumn(column) ? 'text' : column.getSQLType())}[]`;
    });
    await db.execute(sql`insert into ${table} (${names}) select ${picks} from unnest(${sql.join(arrays, sql`, `)}) as u(${aliases})`);
  }
}

const isArrayColumn = (column: PgColumn) => column.getSQLType().endsWith('[]');

/** A PostgreSQL array literal: {"a","b",NULL}. Strings are quoted, so any text is safe in it. */
function toArrayLiteral(values: unknown[]): string {
  const items = values.map((value) => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return `"${String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
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
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.ping();
    await applyMigrations(database);
    if (args.reset) {
      const started = performance.now();
      if (await deleteSeed(database)) say(`Deleted the previous bench data in ${seconds(performance.now() - started)}.`);
    }
    say(`Seeding ${where}.`);
    const report = await seedLarge(database, args.options, say);
    say(`\nSeeded in ${seconds(report.ms)} (generating ${seconds(report.generateMs)}, loading ${seconds(report.ms - report.generateMs)}):`);
    say(`  ${report.courses.length} courses, ${count(report.students)} students, ${count(report.tutors)} tutors, ${count(report.courses.length)} instructors`);
    say(`  ${count(report.series)} series, ${count(report.occurrences)} occurrences, ${count(report.invitations)} invitations`);
    say('  Tutors\' availability is not seeded: it has no table yet.');
  } finally {
    await database.close();
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
