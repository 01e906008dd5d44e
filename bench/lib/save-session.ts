// The save-session scenario's form: a weekly session with ten invitees, each save at times no
// other save of the run uses. A tutor cannot be booked twice at once (the save answers 409), and
// an invitee already in a session then makes a conflict to confirm: so every request asks for new
// times, after the seeded years, for people who have no weekly hours (see loadSaveFixture).
import type { SaveFixture } from './tutorkit.js';

const DAY_PAIRS = [['MO', 'TH'], ['TU', 'FR'], ['WE', 'SA']] as const;
// 06:00 to 21:00 in New York: clear of the night hours a change of daylight saving time skips or repeats.
const FIRST_HOUR = 6;
const HOURS = 16;
const SLOTS = DAY_PAIRS.length * HOURS;
/** Twelve meetings, two a week: each save takes six weeks of one day pair at one hour. */
const BLOCK_DAYS = 42;

/**
 * The n-th save's form: Monday and Thursday, Tuesday and Friday, or Wednesday and Saturday, at one
 * whole hour from 06:00 to 21:00, 12 times; once those 48 are taken, the same in the next six weeks.
 */
export function saveForm(save: SaveFixture, n: number): URLSearchParams {
  const slot = n % SLOTS;
  const pair = slot % DAY_PAIRS.length;
  const hour = FIRST_HOUR + Math.floor(slot / DAY_PAIRS.length);
  const start = new Date(`${save.firstMonday}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() + Math.floor(n / SLOTS) * BLOCK_DAYS + pair);
  const form = new URLSearchParams({
    name: 'Bench weekly review',
    description: 'Saved by the benchmark.',
    courseId: save.courseId,
    startDate: start.toISOString().slice(0, 10),
    startTime: `${String(hour).padStart(2, '0')}:00`,
    zone: 'America/New_York',
    lengthValue: '60',
    lengthUnit: 'minutes',
    repeat: 'weekly',
    interval: '1',
    endType: 'count',
    count: '12',
    tutorIds: save.tutorId,
    meetingUrl: 'https://meet.bench.tutorkit.test/weekly-review',
  });
  for (const day of DAY_PAIRS[pair]!) form.append('weekdays', day);
  for (const id of save.studentIds) form.append('studentIds', id);
  return form;
}
