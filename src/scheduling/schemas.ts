// The "Add sessions" form: one zod schema, its messages in the guide's words.
import { z } from 'zod';
import type { RepeatRule, SeriesTiming, Weekday } from './recurrence.js';

/** A urlencoded field that may arrive once (a string) or several times (an array). */
const list = z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()));
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean());
const httpUrl = (message: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const { protocol } = new URL(v);
        return protocol === 'https:' || protocol === 'http:';
      } catch {
        return false;
      }
    }, message);

export const AddSessionsForm = z.object({
  name: z.string().trim().min(1, 'Give the session a name').max(120, 'Keep the session name under 120 characters'),
  description: z.string().trim().max(5000, 'Keep the description under 5,000 characters').default(''),
  courseId: z.uuid('Choose a community'),
  tagIds: list,
  resourceTitle: list,
  resourceUrl: list,
  exitTitle: list,
  exitUrl: list,
  autoResources: checkbox,
  startDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the start date'),
  startTime: z.string().regex(/^\d{2}:\d{2}$/, 'Enter the start time'),
  zone: z.string().min(1, 'Choose a time zone'),
  lengthValue: z.coerce.number({ error: 'Enter the session length' }).positive('Session length must be between 1 minute and 12 hours'),
  lengthUnit: z.enum(['minutes', 'hours']),
  repeat: z.enum(['none', 'daily', 'weekly', 'monthly']),
  interval: z.coerce.number().int('Repeat every must be a whole number').default(1),
  weekdays: list,
  monthlyBy: z.enum(['monthday', 'nth-weekday']).default('monthday'),
  endType: z.enum(['until', 'count']).default('count'),
  until: z.string().default(''),
  count: z.coerce.number().int('Enter a whole number of sessions').default(10),
  tutorIds: list.pipe(z.array(z.string()).min(1, 'Invite at least one tutor')),
  studentIds: list,
  invitedOnly: checkbox,
  meetingUrl: z.union([z.literal(''), httpUrl('Enter a full meeting link, starting with https://')]).default(''),
  /** The fingerprint of the conflicts the scheduler saw and chose to accept (src/availability/conflicts.ts). */
  confirmConflicts: z.string().default(''),
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
      else if (!httpUrl('x').safeParse(url).success) errors[field] = `“${title}” needs a full link, starting with https://`;
      else resources.push({ kind, title, url });
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
}).extend({ tutorIds: list });
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

/** zod issues as field -> first message. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    out[key] ??= issue.message;
  }
  return out;
}
