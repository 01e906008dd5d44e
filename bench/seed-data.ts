// The synthetic university's raw material for bench/seed-large.ts: the course catalogue, names,
// zones and topics, the shape of an academic year, the kinds of tutoring series laid in it, and
// the weeks of availability people have. Data, and pure helpers that shape one thing (a term, a
// series, a person's week) from a random stream: who gets what, and when, is decided in seed-large.ts.
import { DateTime } from 'luxon';
import type { RepeatRule, Weekday } from '../src/lib/recurrence.js';
import { weightedPicker, type Random } from './random.js';

// ---- Calendar ---------------------------------------------------------------------------------

export interface Term {
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

export function buildCalendar(startDate: string, years: number): { terms: Term[]; window: { from: Date; to: Date } } {
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
export const FIRST_HOUR = 8;
export const HOUR_WEIGHTS = [1, 2, 3, 3, 3, 3, 4, 4, 4, 3, 3, 2, 1];

/** The local date of `day` (0 = Monday) in 1-based `week` of a term. */
function dayOf(term: Term, week: number, day: number): string {
  return term.start.plus({ weeks: week - 1, days: day }).toISODate()!;
}

// ---- Series shapes ----------------------------------------------------------------------------

export type Kind = 'weekly' | 'exam' | 'one-off';

export interface SeriesPlan {
  kind: Kind;
  name: string;
  startDate: string;
  startTime: string;
  durationMinutes: number;
  repeat: RepeatRule;
  topic: TopicTag;
}

/** The name, dates, length and repeat rule of a series of `kind` in `term`; the start time is the caller's. */
export function planShape(random: Random, kind: Kind, term: Term, label: string, topic: TopicTag): Shape {
  return kind === 'weekly' ? planWeekly(random, term, label, topic) : kind === 'exam' ? planExam(random, term, label, topic) : planOneOff(random, term, label, topic);
}

export type Shape = Pick<SeriesPlan, 'name' | 'startDate' | 'durationMinutes' | 'repeat'>;

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

export function describeSeries(series: SeriesPlan): string {
  const topic = series.topic.name.toLowerCase();
  if (series.kind === 'weekly') return `A weekly session on ${topic}. Bring your questions and your notes.`;
  if (series.kind === 'exam') return `Getting ready for the exam: past papers, ${topic === 'exam preparation' ? 'revision plans' : topic} and the questions you are stuck on.`;
  return `A short session on ${topic}.`;
}


// ---- Word lists -------------------------------------------------------------------------------

export interface Department {
  code: string;
  /** Course numbers and titles, easiest first: the first courses seeded are intro courses. */
  courses: [number, string][];
  topics: string[];
}

export interface TopicTag {
  id: string;
  name: string;
}

export interface Catalogue {
  programs: TopicTag[];
  gradeLevels: TopicTag[];
  /** Most popular first: "Exam preparation" is the topic most sessions carry. */
  generalTopics: TopicTag[];
  departmentTopics: Map<string, TopicTag[]>;
}

export const DEPARTMENTS: Department[] = [
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
export function courseAt(index: number) {
  const course = COURSE_CATALOGUE[index % COURSE_CATALOGUE.length]!;
  return { ...course, section: Math.floor(index / COURSE_CATALOGUE.length) + 1 };
}

export const GENERAL_TOPICS = ['Exam preparation', 'Homework help', 'Study skills', 'Problem sets', 'Essay writing', 'Note-taking', 'Time management', 'Presentation skills', 'Group projects', 'Test anxiety'];
export const PROGRAMS = ['Honors College', 'STEM Scholars', 'First-Generation Students', 'Student Athletes', 'Pre-Med', 'Engineering', 'Nursing', 'Business School', 'International Students', 'Adult Learners'];
export const GRADE_LEVELS = ['First year', 'Second year', 'Third year', 'Fourth year', 'Graduate'];

/** A department's topics, the top ones far more often than the tail ("popular topics"). */
export function topicPickerFor(random: Random, department: Department, catalogue: Catalogue): () => TopicTag {
  const own = catalogue.departmentTopics.get(department.code) ?? [];
  const candidates = [...own, ...catalogue.generalTopics];
  const weights = [...own.map((_, rank) => 3 / (rank + 1)), ...catalogue.generalTopics.map((_, rank) => 4 / Math.pow(rank + 1, 1.3))];
  const pick = weightedPicker(random, weights);
  return () => candidates[pick()]!;
}

export const ZONES: [string, number][] = [
  ['America/New_York', 35], ['America/Chicago', 20], ['America/Denver', 8], ['America/Los_Angeles', 17],
  ['Europe/London', 8], ['Europe/Berlin', 7], ['Europe/Madrid', 5],
];

export const GIVEN_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Charlotte', 'Mateo', 'Ava', 'Lucas', 'Mia', 'Levi',
  'Isabella', 'Ethan', 'Aisha', 'Mohammed', 'Priya', 'Arjun', 'Mei', 'Wei', 'Yuki', 'Haruto', 'Fatima', 'Omar', 'Chloe', 'Kwame',
  'Amara', 'Chidi', 'Sofia', 'Diego', 'Valentina', 'Santiago', 'Hannah', 'Jonas', 'Lena', 'Lukas', 'Maya', 'Daniel', 'Grace',
  'Samuel', 'Zoe', 'Benjamin', 'Leila', 'Ibrahim', 'Nora', 'Finn', 'Ines', 'Tomás', 'Anika', 'Ravi', 'Hana', 'Min-jun', 'Seo-yeon',
  'Camila', 'Gabriel', 'Elena', 'Mateus', 'Aaliyah', 'Jamal', 'Siobhan', 'Connor', 'Freya', 'Oscar', 'Ingrid', 'Nikolai', 'Zainab',
];
export const FAMILY_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Nguyen', 'Kim', 'Park', 'Chen', 'Wang', 'Li', 'Zhang',
  'Patel', 'Shah', 'Singh', 'Khan', 'Ali', 'Hassan', 'Okafor', 'Mensah', 'Adeyemi', 'Tanaka', 'Sato', 'Suzuki', 'Müller',
  'Schmidt', 'Schneider', 'Fischer', 'Rossi', 'Russo', 'Bianchi', 'Dubois', 'Moreau', 'Fernández', 'González', 'Silva', 'Santos',
  "O'Connor", 'Murphy', 'Kelly', 'Novak', 'Kowalski', 'Johansson', 'Andersen', 'Ivanova', 'Cohen', 'Levi', 'Haddad', 'Ramírez',
];

export const BEFORE_RESOURCES = ['Practice problems', 'Lecture notes', 'Study guide', 'Worked solutions', 'Past exam paper', 'Reading list', 'Formula sheet'];
export const EXIT_RESOURCES = ['Session feedback survey', 'Follow-up exercises', 'Answers to the practice problems'];

// ---- Availability -----------------------------------------------------------------------------

/** One range of weekly hours: ISO weekday (1 = Monday), minutes since midnight (1440 = 24:00). */
export interface Hours {
  weekday: number;
  start: number;
  end: number;
}

/** A booked session, as instants. */
export interface Meeting {
  start: Date;
  end: Date;
}

/** Local hours on some ISO weekdays (1 = Monday), HH:mm; an end of 24:00 is midnight. */
export interface WeeklyRange {
  weekdays: number[];
  start: string;
  end: string;
}

const WEEKDAYS_MON_FRI = [1, 2, 3, 4, 5];

/** The weeks students, and tutors with hardly any sessions, set up; with how common each is. */
export const WEEK_PATTERNS: { weight: number; ranges: WeeklyRange[] }[] = [
  // Office hours with a lunch break.
  { weight: 4, ranges: [{ weekdays: WEEKDAYS_MON_FRI, start: '09:00', end: '12:00' }, { weekdays: WEEKDAYS_MON_FRI, start: '13:00', end: '17:00' }] },
  { weight: 3, ranges: [{ weekdays: WEEKDAYS_MON_FRI, start: '12:00', end: '18:00' }] },
  // Between classes: short windows on Monday-Wednesday-Friday, long afternoons on Tuesday-Thursday.
  { weight: 3, ranges: [{ weekdays: [1, 3, 5], start: '10:00', end: '12:00' }, { weekdays: [1, 3, 5], start: '14:00', end: '16:00' }, { weekdays: [2, 4], start: '13:00', end: '19:00' }] },
  { weight: 2, ranges: [{ weekdays: [1, 2, 3, 4], start: '18:00', end: '22:00' }, { weekdays: [7], start: '14:00', end: '20:00' }] },
  // Night owls, up to midnight.
  { weight: 1, ranges: [{ weekdays: WEEKDAYS_MON_FRI, start: '20:00', end: '24:00' }, { weekdays: [6], start: '12:00', end: '24:00' }] },
  { weight: 1, ranges: [{ weekdays: [6, 7], start: '10:00', end: '16:00' }, { weekdays: [3], start: '17:00', end: '20:00' }] },
];

/** The longest day a tutor's weekly hours span, in minutes. */
const WORKING_DAY = 13 * 60;

/**
 * A tutor's week around the sessions they run (a sample of 200, in their zone): their working day
 * is the 13 hours that hold most of those sessions; on each weekday with at least 5% of them, from
 * the hour by which 5% have started to the hour by which 95% have ended, and weekdays with fewer
 * are off. Four tutors in ten take a lunch break from 12:00 to 13:00, one in ten stays until
 * midnight one day, and a few who never teach at weekends offer Saturday mornings. So the hours
 * cover most of a tutor's sessions, and the conflict check finds the rest.
 */
export function hoursAround(random: Random, meetings: Meeting[], zone: string): Hours[] {
  const sessions = random.sample(meetings, 200).map((meeting) => {
    const local = DateTime.fromJSDate(meeting.start, { zone });
    const start = local.hour * 60 + local.minute;
    return { weekday: local.weekday, start, end: Math.min(1440, start + (meeting.end.getTime() - meeting.start.getTime()) / 60_000) };
  });
  const within = (from: number) => sessions.filter((s) => s.start >= from && s.end <= from + WORKING_DAY);
  let day = within(0);
  for (let from = 60; from + WORKING_DAY <= 1440; from += 60) {
    const candidate = within(from);
    if (candidate.length > day.length) day = candidate;
  }
  const lunch = random.chance(0.4);
  const hours: Hours[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    const own = day.filter((s) => s.weekday === weekday);
    if (own.length === 0 || own.length < day.length * 0.05) continue;
    const start = Math.floor(quantile(own.map((s) => s.start), 0.05) / 60) * 60;
    const end = Math.ceil(quantile(own.map((s) => s.end), 0.95) / 60) * 60;
    if (lunch && start < 720 && end > 780) hours.push({ weekday, start, end: 720 }, { weekday, start: 780, end });
    else hours.push({ weekday, start, end });
  }
  if (random.chance(0.1)) {
    // The day's last range: ranges are pushed in order, so it is the last one of that weekday.
    const late = random.pick(hours).weekday;
    hours.filter((h) => h.weekday === late).at(-1)!.end = 1440;
  }
  if (hours.every((h) => h.weekday < 6) && random.chance(0.15)) hours.push({ weekday: 6, start: 540, end: 780 });
  return hours;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** A common weekly pattern, made personal: sometimes an hour earlier or later, sometimes one day less. */
export function patternHours(random: Random, ranges: WeeklyRange[]): Hours[] {
  const shift = random.pick([-60, 0, 0, 60]);
  const dayOff = random.chance(0.25) ? random.int(1, 7) : 0;
  const clamp = (minutes: number) => Math.min(1440, Math.max(0, minutes + shift));
  const all = ranges.flatMap((r) => r.weekdays.map((weekday) => ({ weekday, start: clamp(minutesOf(r.start)), end: clamp(minutesOf(r.end)) })));
  const kept = all.filter((h) => h.end > h.start && h.weekday !== dayOff);
  return kept.length > 0 ? kept : all.filter((h) => h.end > h.start);
}

/** Minutes since midnight as HH:mm; 1440 is 24:00. */
export function clockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** HH:mm as minutes since midnight. */
function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}
