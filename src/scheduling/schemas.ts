// The "Add sessions" form: one zod schema, its messages in the guide's words.
import { z } from 'zod';
import { checkbox, fieldList, isWebAddress, optionalWebAddress, textField } from '../lib/forms.js';
import type { RepeatRule, SeriesTiming, Weekday } from '../lib/recurrence.js';

/** The largest course whose every member can be invited in one save. */
export const MAX_INVITEES = 10_000;
/** Rows of Resources or Exit resources one session can carry. */
export const MAX_RESOURCES = 50;
export const RESOURCE_TITLE_MAX = 200;
export const URL_MAX = 2000;

/** A single-valued field with a fixed shape (a date, a time, a choice): a repeated one is refused with the field's name. */
const one = <T extends z.ZodType<unknown, string>>(label: string, schema: T) =>
  z.string({ error: (i) => (Array.isArray(i.input) ? `${label}: enter one value, not several.` : `Enter ${label}.`) }).pipe(schema);

export const AddSessionsForm = z.object({
  name: textField('Session name', { max: 120, required: 'Give the session a name' }),
  description: textField('Description', { max: 5000, multiline: true }),
  courseId: one('the community', z.uuid('Choose a community')),
  tagIds: fieldList('Tags', { max: 36, count: 200 }),
  resourceTitle: fieldList('Resources', { max: RESOURCE_TITLE_MAX, count: MAX_RESOURCES }),
  resourceUrl: fieldList('Resources', { max: URL_MAX, count: MAX_RESOURCES }),
  exitTitle: fieldList('Exit resources', { max: RESOURCE_TITLE_MAX, count: MAX_RESOURCES }),
  exitUrl: fieldList('Exit resources', { max: URL_MAX, count: MAX_RESOURCES }),
  autoResources: checkbox,
  startDate: one('the start date', z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the start date')),
  startTime: one('the start time', z.string().regex(/^\d{2}:\d{2}$/, 'Enter the start time')),
  zone: one('a time zone', z.string().min(1, 'Choose a time zone').max(64, 'Choose a time zone from the list')),
  lengthValue: one('the session length', z.coerce.number<string>({ error: 'Enter the session length' }).positive('Session length must be between 1 minute and 12 hours')),
  lengthUnit: one('the unit of the session length', z.enum(['minutes', 'hours'])),
  repeat: one('how often the session repeats', z.enum(['none', 'daily', 'weekly', 'monthly'])),
  interval: one('how often it repeats', z.coerce.number<string>().int('Repeat every must be a whole number')).default(1),
  weekdays: fieldList('Days', { max: 2, count: 7 }),
  monthlyBy: one('how it repeats monthly', z.enum(['monthday', 'nth-weekday'])).default('monthday'),
  endType: one('when the repeat ends', z.enum(['until', 'count'])).default('count'),
  until: one('the end date', z.string().max(10, 'Enter a real end date, for example 2027-05-12')).default(''),
  count: one('the number of sessions', z.coerce.number<string>().int('Enter a whole number of sessions')).default(10),
  tutorIds: fieldList('Tutors', { max: 36, count: MAX_INVITEES }).pipe(z.array(z.string()).min(1, 'Invite at least one tutor')),
  studentIds: fieldList('Students', { max: 36, count: MAX_INVITEES }),
  invitedOnly: checkbox,
  meetingUrl: optionalWebAddress('Meeting URL', { max: URL_MAX, message: 'Enter a full meeting link, starting with https://' }),
  /** The fingerprint of the conflicts the scheduler saw and chose to accept (src/availability/conflicts.ts). */
  confirmConflicts: one('the confirmation', z.string().max(100)).default(''),
});
export type AddSessionsForm = z.infer<typeof AddSessionsForm>;

export interface ResourceInput {
  kind: 'before' | 'exit';
  title: string;
  url: string;
}

/** Pairs the title and URL columns; a blank row is skipped, a half-filled one is an error. */
export function readResources(form: AddSessionsForm): { resources: ResourceInput[]; errors: Record<string, string> } {
  const resources: ResourceInput[] = [];
  const errors: Record<string, string> = {};
  const rows = [
    ['before', form.resourceTitle, form.resourceUrl, 'resources'],
    ['exit', form.exitTitle, form.exitUrl, 'exitResources'],
  ] as const;
  for (const [kind, titles, urls, field] of rows) {
    for (let i = 0; i < Math.max(titles.length, urls.length); i++) {
      const title = (titles[i] ?? '').trim();
      const url = (urls[i] ?? '').trim();
      if (!title && !url) continue;
      if (!title) errors[field] = 'Give each resource a title';
      else if (!isWebAddress(url)) errors[field] = `“${title}” needs a full link, starting with https://`;
      else resources.push({ kind, title, url: new URL(url).href });
    }
  }
  return { resources, errors };
}

/** The schedule and attendance part of the form: what the conflict check and the Scheduling assistant read. */
export const ProposalForm = AddSessionsForm.pick({
  startDate: true,
  startTime: true,
  zone: true,
  lengthValue: true,
  lengthUnit: true,
  repeat: true,
  interval: true,
  weekdays: true,
  monthlyBy: true,
  endType: true,
  until: true,
  count: true,
  studentIds: true,
}).extend({ tutorIds: fieldList('Tutors', { max: 36, count: MAX_INVITEES }) });
export type ProposalForm = z.infer<typeof ProposalForm>;

export function readTiming(form: Pick<AddSessionsForm, keyof ProposalForm>): SeriesTiming {
  const end = form.endType === 'until' ? { type: 'until' as const, date: form.until } : { type: 'count' as const, count: form.count };
  let repeat: RepeatRule;
  switch (form.repeat) {
    case 'none':
      repeat = { freq: 'none' };
      break;
    case 'daily':
      repeat = { freq: 'daily', interval: form.interval, end };
      break;
    case 'weekly':
      repeat = { freq: 'weekly', interval: form.interval, weekdays: form.weekdays as Weekday[], end };
      break;
    case 'monthly':
      repeat = { freq: 'monthly', interval: form.interval, by: form.monthlyBy, end };
      break;
  }
  return {
    startDate: form.startDate,
    startTime: form.startTime,
    durationMinutes: Math.round(form.lengthUnit === 'hours' ? form.lengthValue * 60 : form.lengthValue),
    zone: form.zone,
    repeat,
  };
}

/** Field name in the form for each timing problem the recurrence module reports. */
export const TIMING_FIELDS: Record<string, string> = {
  startDate: 'startDate',
  startTime: 'startTime',
  durationMinutes: 'lengthValue',
  zone: 'zone',
  repeat: 'repeat',
  weekdays: 'weekdays',
  interval: 'interval',
  until: 'until',
  count: 'count',
};
