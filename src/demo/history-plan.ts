// The demo course's history as plain data, relative to "now": about eight weeks of past sessions
// (run, attended, chatted in, given feedback and rated), two weeks of sessions to come with
// RSVPs, and the irregular things a real course has (a no-show, a tutor who never started, a
// cancelled session, meetings nobody ended, feedback not finished). Pure: history.ts stores it.
//
// The week: Maya's review on Tuesdays 09:00, Diego's practice on Thursdays 10:00, and a weekly
// open Lab skills drop-in on Fridays 09:00 (Mexico City time, Diego's zone, which has no daylight
// saving: the wall-clock times never shift). Units of two weeks: cells, genetics,
// photosynthesis, evolution.
import { expandOccurrences, type SeriesTiming } from '../lib/recurrence.js';
import { addDays, addElapsedMinutes, instantOfLocal, startOfWeek, todayIn } from '../lib/time.js';
import { PRIVATE_NOTES, RATING_COMMENTS, TOPIC_TEXTS, type Topic } from './history-texts.js';
import { DEMO_PEOPLE } from './people.js';

export const DEMO_ZONE = 'America/Mexico_City';
export const PAST_WEEKS = 8;
const UPCOMING_DAYS = 14;
/** A past session's records are complete (feedback, ratings) only when it ended this long ago. */
const SETTLED_MINUTES = 180;

const MAYA = 'demo-tutor-1';
const DIEGO = 'demo-tutor-2';
const AMARA = 'demo-instructor-1';
const student = (n: number) => `demo-student-${n}`;

type Slot = 'tue' | 'thu' | 'lab';
type Prerequisite = 'adequate' | 'low';
type Mastery = 'demonstrated' | 'not_demonstrated';

export interface PlannedOccurrence {
  start: Date;
  end: Date;
  status: 'scheduled' | 'cancelled' | 'ended';
  meeting: { startedBy: string; startedAt: Date; endedAt: Date; endedBy: 'tutor' | 'auto' } | null;
  attendance: { sub: string; role: 'tutor' | 'student'; firstJoinedAt: Date; lastLeftAt: Date }[];
  chat: { sub: string; role: 'tutor' | 'student'; body: string; sentAt: Date }[];
  feedback: {
    studentSub: string;
    authorSub: string;
    forStudent: string;
    private: string;
    prerequisite: Prerequisite | null;
    mastery: Mastery | null;
    topic: Topic;
    finishedAt: Date | null;
    updatedAt: Date;
  }[];
  ratings: { studentSub: string; stars: number; comment: string; at: Date }[];
  rsvps: { sub: string; response: 'going' | 'maybe' | 'declined'; at: Date }[];
}

export interface PlannedSeries {
  name: string;
  description: string;
  createdBy: string;
  tutors: string[];
  students: string[];
  topics: Topic[];
  invitedOnly: boolean;
  timing: SeriesTiming;
  resources: { kind: 'before' | 'exit'; title: string; url: string }[];
  occurrences: PlannedOccurrence[];
}

/** Which unit week k (k weeks before this one; negative = to come) belongs to. */
const TOPIC_OF_WEEK: Record<number, Topic> = { 8: 'Cell structure', 7: 'Cell structure', 6: 'Genetics', 5: 'Genetics', 4: 'Photosynthesis', 3: 'Photosynthesis', 2: 'Evolution', 1: 'Evolution', 0: 'Evolution', [-1]: 'Genetics', [-2]: 'Photosynthesis' };

/** Who is invited, alternating week by week. Liam (student 2) comes to nearly everything. */
const GROUPS: Record<Slot, [number[], number[]]> = {
  tue: [[1, 2, 3, 4], [2, 3, 5, 6]],
  thu: [[2, 4, 5, 6], [1, 2, 3, 4]],
  lab: [[4, 5, 6], [4, 5, 6]],
};

/** Invited students who never came (`week:slot:student`): Kwame misses three. */
const NO_SHOWS = new Set(['7:tue:6', '6:thu:4', '4:lab:4', '2:tue:4', '1:thu:3']);
/** Diego never pressed Start meeting; two students waited in the room. */
const TUTOR_NO_SHOW = '3:thu';
/** The Lab skills drop-in of that week was cancelled. */
const CANCELLED = '5:lab';
/** Meetings nobody ended: they ended themselves an hour after their scheduled end. */
const AUTO_ENDED = new Set(['6:tue', '4:thu', '2:lab']);
/** Diagnoses that are not "adequate, demonstrated": Liam struggles, Kwame and Sofia now and then. */
const STRUGGLES: Record<string, Partial<Record<Topic, [Prerequisite, Mastery]>>> = {
  [student(2)]: { 'Cell structure': ['adequate', 'not_demonstrated'], Genetics: ['low', 'not_demonstrated'], Photosynthesis: ['low', 'not_demonstrated'] },
  [student(4)]: { Photosynthesis: ['low', 'demonstrated'] },
  [student(3)]: { Evolution: ['adequate', 'not_demonstrated'] },
};
const LOW_RATINGS: Record<string, number> = { [`6:tue:${student(3)}`]: 2 };

interface SlotRun {
  k: number;
  slot: Slot;
  topic: Topic;
  tutor: string;
  invited: string[];
  start: Date;
  end: Date;
}

export function planHistory(now: Date): PlannedSeries[] {
  const monday = startOfWeek(todayIn(DEMO_ZONE, now));
  const series: PlannedSeries[] = [];
  for (let k = PAST_WEEKS; k >= -2; k--) {
    const week = addDays(monday, -7 * k);
    for (const slot of ['tue', 'thu'] as const) {
      const one = planOneOff(now, k, slot, week);
      if (one) series.push(one);
    }
  }
  series.push(planLabSeries(now, monday), planExamReview(now, monday));
  leaveDrafts(series, now);
  return series.filter((s) => s.occurrences.length > 0);
}

function planOneOff(now: Date, k: number, slot: 'tue' | 'thu', week: string): PlannedSeries | null {
  const topic = TOPIC_OF_WEEK[k]!;
  const texts = TOPIC_TEXTS[topic];
  const tutor = slot === 'tue' ? MAYA : DIEGO;
  const timing = oneOffTiming(addDays(week, slot === 'tue' ? 1 : 3), slot === 'tue' ? '09:00' : '10:00', 60);
  const [occurrence] = expandOccurrences(timing);
  const invited = GROUPS[slot][Math.abs(k) % 2]!.map(student);
  const planned = planOccurrence(now, { k, slot, topic, tutor, invited, start: occurrence!.start, end: occurrence!.end });
  if (!planned) return null;
  const name = k > 0 ? texts.names[(k % 2 === 0 ? 0 : 2) + (slot === 'thu' ? 1 : 0)]! : texts.later[slot === 'tue' ? 0 : 1];
  return { ...details(topic, name, tutor), tutors: [tutor], students: invited, invitedOnly: true, timing, occurrences: [planned] };
}

/** The weekly drop-in, from eight weeks ago until two weeks ahead: one series, many occurrences. */
function planLabSeries(now: Date, monday: string): PlannedSeries {
  const firstFriday = addDays(monday, -7 * PAST_WEEKS + 4);
  const horizon = addElapsedMinutes(now, UPCOMING_DAYS * 24 * 60);
  let count = 0;
  while (instantOfLocal(addDays(firstFriday, 7 * count), '09:00', DEMO_ZONE) <= horizon) count++;
  const timing: SeriesTiming = { ...oneOffTiming(firstFriday, '09:00', 60), repeat: { freq: 'weekly', interval: 1, weekdays: ['FR'], end: { type: 'count', count } } };
  const invited = GROUPS.lab[0].map(student);
  const occurrences = expandOccurrences(timing).map((o, i) => {
    const run = { k: PAST_WEEKS - i, slot: 'lab' as const, topic: 'Lab skills' as const, tutor: MAYA, invited, start: o.start, end: o.end };
    if (`${run.k}:lab` === CANCELLED) return { ...empty(o.start, o.end), status: 'cancelled' as const };
    // A drop-in that is on right now stays simply scheduled: nobody has started it yet.
    return planOccurrence(now, run) ?? empty(o.start, o.end);
  });
  return { ...details('Lab skills', TOPIC_TEXTS['Lab skills'].names[0], MAYA), createdBy: AMARA, tutors: [MAYA], students: invited, invitedOnly: false, timing, occurrences };
}

/** A longer review next week with both tutors and every student. */
function planExamReview(now: Date, monday: string): PlannedSeries {
  const timing = oneOffTiming(addDays(monday, 9), '12:00', 90);
  const [o] = expandOccurrences(timing);
  const students = [1, 2, 3, 4, 5, 6].map(student);
  const occurrence = { ...empty(o!.start, o!.end), rsvps: rsvpsFor(now, -1, 'thu', [MAYA, DIEGO], students) };
  return {
    name: 'Midterm review: cells and genetics',
    description: 'Everything from the first two units, with exam-style questions. Both tutors are there; bring what you found hardest.',
    createdBy: AMARA,
    tutors: [MAYA, DIEGO],
    students,
    topics: ['Cell structure', 'Genetics'],
    invitedOnly: true,
    timing,
    resources: [TOPIC_TEXTS['Cell structure'].before, TOPIC_TEXTS.Genetics.before].map((r) => ({ kind: 'before' as const, ...r })),
    occurrences: [occurrence],
  };
}

/** A past occurrence with its whole record, one to come with RSVPs, or null (on now, or too far ahead). */
function planOccurrence(now: Date, run: SlotRun): PlannedOccurrence | null {
  if (addElapsedMinutes(run.end, SETTLED_MINUTES) <= now) return pastRun(now, run);
  if (run.start > now && run.start <= addElapsedMinutes(now, UPCOMING_DAYS * 24 * 60)) {
    return { ...empty(run.start, run.end), rsvps: rsvpsFor(now, run.k, run.slot, [run.tutor], run.invited) };
  }
  return null;
}

function pastRun(now: Date, run: SlotRun): PlannedOccurrence {
  const { k, slot, start, end, tutor } = run;
  const at = (from: Date, minutes: number) => clamp(addElapsedMinutes(from, minutes), now);
  if (`${k}:${slot}` === TUTOR_NO_SHOW) {
    const waited = run.invited.slice(0, 2).map((sub, j) => ({ sub, role: 'student' as const, firstJoinedAt: at(start, j - 2), lastLeftAt: at(start, 12 + j) }));
    return { ...empty(start, end), attendance: waited };
  }
  const present = run.invited.filter((sub) => !NO_SHOWS.has(`${k}:${slot}:${sub.slice(-1)}`));
  const auto = AUTO_ENDED.has(`${k}:${slot}`);
  const slotIndex = ['tue', 'thu', 'lab'].indexOf(slot);
  const startedAt = at(start, k % 3);
  const endedAt = auto ? at(end, 60) : at(end, ((k + slotIndex) % 7) - 4);
  const leftAt = auto ? at(end, 2) : endedAt;
  const attendance = [
    { sub: tutor, role: 'tutor' as const, firstJoinedAt: at(start, -6), lastLeftAt: at(leftAt, 1) },
    ...present.map((sub, j) => ({ sub, role: 'student' as const, firstJoinedAt: at(start, (k + j) % 5 === 4 ? 6 : j - 4), lastLeftAt: at(leftAt, -(j % 3)) })),
  ];
  const script = TOPIC_TEXTS[run.topic].scripts[(k + slotIndex) % 2]!;
  const chat = script.map((line, i) => {
    const sub = line.by === 'tutor' ? tutor : present[line.by % present.length]!;
    return { sub, role: line.by === 'tutor' ? ('tutor' as const) : ('student' as const), body: line.text, sentAt: at(startedAt, line.at + (i * 17) / 60) };
  });
  const feedback = present.map((sub, j) => feedbackFor(sub, j, run, auto ? at(end, 18 * 60) : at(endedAt, -2)));
  const ratings = present.flatMap((sub, j) => ((j + k + slotIndex) % 4 === 3 ? [] : [ratingFor(sub, j, run, at(auto ? end : endedAt, 5 + 7 * j))]));
  return { start, end, status: 'ended', meeting: { startedBy: tutor, startedAt, endedAt, endedBy: auto ? 'auto' : 'tutor' }, attendance, chat, feedback, ratings, rsvps: [] };
}

function feedbackFor(sub: string, j: number, run: SlotRun, finishedAt: Date): PlannedOccurrence['feedback'][number] {
  const texts = TOPIC_TEXTS[run.topic];
  const [prerequisite, mastery] = STRUGGLES[sub]?.[run.topic] ?? (['adequate', 'demonstrated'] as const);
  const first = DEMO_PEOPLE.find((p) => p.sub === sub)!.givenName;
  const forStudent =
    mastery === 'demonstrated'
      ? `${first}, you ${texts.strength}. ${texts.next}.`
      : `${first}, we made progress, but ${texts.gap} is not solid yet. ${texts.next}, and bring your questions next time.` +
        (prerequisite === 'low' ? ` It will help to review ${texts.prerequisite} first.` : '');
  const notes = PRIVATE_NOTES.onTrack;
  const privateNote = prerequisite === 'low' ? PRIVATE_NOTES.lowPrerequisite(texts.prerequisite) : mastery === 'not_demonstrated' ? PRIVATE_NOTES.notShown(texts.gap) : notes[(run.k + j) % notes.length]!;
  return { studentSub: sub, authorSub: run.tutor, forStudent, private: privateNote, prerequisite, mastery, topic: run.topic, finishedAt, updatedAt: finishedAt };
}

function ratingFor(sub: string, j: number, run: SlotRun, at: Date): PlannedOccurrence['ratings'][number] {
  const struggled = STRUGGLES[sub]?.[run.topic]?.[1] === 'not_demonstrated';
  const stars = LOW_RATINGS[`${run.k}:${run.slot}:${sub}`] ?? (struggled ? 3 : (j + run.k) % 3 === 0 ? 4 : 5);
  const comments = RATING_COMMENTS[stars]!;
  return { studentSub: sub, stars, comment: comments[(run.k + j) % comments.length]!, at };
}

/** Tutors are going; students answer in a spread of ways, and some have not answered yet. */
function rsvpsFor(now: Date, k: number, slot: Slot, tutors: string[], students: string[]): PlannedOccurrence['rsvps'] {
  const answers = ['going', 'going', 'maybe', null, 'declined'] as const;
  const slotIndex = ['tue', 'thu', 'lab'].indexOf(slot);
  const studentAnswers = students.flatMap((sub, j) => {
    const response = answers[(j + Math.abs(k) + slotIndex) % answers.length];
    return response ? [{ sub, response, at: addElapsedMinutes(now, -60 * (3 * j + 2)) }] : [];
  });
  return [...tutors.map((sub) => ({ sub, response: 'going' as const, at: addElapsedMinutes(now, -60 * 26) })), ...studentAnswers];
}

/**
 * Each tutor's latest past meeting still has feedback to write, saved as drafts: two students'
 * for Maya (one begun, one not yet), one for Diego. Their Dashboards show it.
 */
function leaveDrafts(series: PlannedSeries[], now: Date): void {
  for (const tutor of [MAYA, DIEGO]) {
    const latest = series
      .flatMap((s) => s.occurrences)
      .filter((o) => o.meeting?.startedBy === tutor && o.feedback.length > 0)
      .sort((a, b) => b.start.getTime() - a.start.getTime())[0];
    if (!latest) continue;
    const drafts = latest.feedback.slice(tutor === MAYA ? -2 : -1);
    const savedAt = clamp(addElapsedMinutes(latest.end, 15), now);
    drafts.forEach((f, i) => {
      Object.assign(f, { finishedAt: null, updatedAt: savedAt, private: '' });
      if (i > 0) Object.assign(f, { forStudent: '', prerequisite: null, mastery: null });
    });
  }
}

function details(topic: Topic, name: string, createdBy: string) {
  const texts = TOPIC_TEXTS[topic];
  return {
    name,
    description: texts.description,
    createdBy,
    topics: [topic],
    resources: [
      { kind: 'before' as const, ...texts.before },
      { kind: 'exit' as const, ...texts.exit },
    ],
  };
}

function oneOffTiming(startDate: string, startTime: string, durationMinutes: number): SeriesTiming {
  return { startDate, startTime, durationMinutes, zone: DEMO_ZONE, repeat: { freq: 'none' } };
}

function empty(start: Date, end: Date): PlannedOccurrence {
  return { start, end, status: 'scheduled', meeting: null, attendance: [], chat: [], feedback: [], ratings: [], rsvps: [] };
}

/** Nothing in the history happens after now (late feedback of a recent session is clamped to now). */
function clamp(at: Date, now: Date): Date {
  return at > now ? now : at;
}

