// The Scheduling assistant: the form's proposal, with the assistant's own Start date, Time and
// Duration on top, as one day's grid of who is free, busy or outside their availability in the
// scheduler's zone, and the later sessions of a repeating proposal that have conflicts.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { describeConflicts } from '../availability/conflicts.js';
import { merge, overlaps, uncovered } from '../availability/intervals.js';
import { checkConflicts, loadAssistant, nextFreeSlot, SEARCH, type AssistantRow } from '../availability/service.js';
import { NotFoundError } from '../lib/errors.js';
import { readProposal, seriesBeingEdited, type Proposal } from './proposal.js';
import { MAX_DURATION_MINUTES } from '../lib/recurrence.js';
import * as q from './queries.js';
import { formatDate, formatSlot, instantOfLocal, localDateOf, localTimeOf, wallTime } from '../lib/time.js';

const QUARTER_MS = 15 * 60_000;
/** Slot states in a row's compact string: the page script reads it to tell who is unavailable. */
export const SLOT = { free: 'f', busy: 'b', unavailable: 'u' } as const;
const LATER_SHOWN = 10;

const firstOf = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(firstOf, schema.optional()).catch(undefined);

/** The assistant's own fields (sent along with the whole form); they win over the form's start and length. */
const AssistantFields = z.object({
  assistantDate: optional(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
  assistantTime: optional(z.string().regex(/^\d{2}:\d{2}$/)),
  assistantMinutes: optional(z.coerce.number().int().positive().max(MAX_DURATION_MINUTES)),
  editOccurrenceId: z.preprocess(firstOf, z.string().optional()).catch(undefined),
});

export interface GridRow {
  name: string;
  role: 'tutor' | 'student';
  /** The person's zone, when it differs from the scheduler's. */
  zone: string | null;
  /** The proposed start in the person's zone ("22:00", or "Wed 01:00" on another date there). */
  there: string;
  setUp: boolean;
  /** One character per 15-minute slot (SLOT). */
  states: string;
  /** The row in words, for screen readers (the cells are drawn for the eye only). */
  summary: string;
}

export interface LaterConflicts {
  /** How many other sessions of the series were checked. */
  checked: number;
  sessions: { label: string; lines: string[] }[];
  /** Sessions with conflicts left out of `sessions`. */
  more: number;
  /** Set when the start date is not itself a session of the repeat rule. */
  firstNote: string | null;
}

export interface ReadyView {
  ready: true;
  zone: string;
  date: string;
  dayLabel: string;
  time: string;
  durationMinutes: number;
  /** Local midnight of `date` (epoch ms) and the number of 15-minute slots in that day (92, 96 or 100). */
  from: number;
  slotCount: number;
  /** Elapsed minutes from local midnight to the proposed start. */
  startMinutes: number;
  /** Per slot: its local time when it starts an hour, else ''. */
  hours: string[];
  rows: GridRow[];
  later: LaterConflicts | null;
  /** Shown in the dialog and announced (for example when nobody is free). */
  message: string | null;
  /** Announced instead of the usual status after the fragment loads. */
  announce: string | null;
}

export type AssistantView = ReadyView | { ready: false; message: string };

const NOT_READY: AssistantView = { ready: false, message: 'Enter a start date, time and session length first.' };

interface Context {
  proposal: Proposal;
  excludeSeriesIds: string[];
}

/** The proposal the request describes, with the series being edited left out of busy time. */
async function readContext(db: Db, courseId: string, query: Record<string, unknown>): Promise<Context | null> {
  const fields = AssistantFields.parse(query);
  const excludeSeriesIds = await seriesBeingEdited(db, courseId, fields.editOccurrenceId);
  const form: Record<string, unknown> = { ...query };
  if (fields.assistantDate) form.startDate = fields.assistantDate;
  if (fields.assistantTime) form.startTime = fields.assistantTime;
  if (fields.assistantMinutes) Object.assign(form, { lengthValue: String(fields.assistantMinutes), lengthUnit: 'minutes' });
  const proposal = await readProposal(db, courseId, form);
  return proposal && { proposal, excludeSeriesIds };
}

export async function loadAssistantView(db: Db, courseId: string, query: Record<string, unknown>): Promise<AssistantView> {
  const context = await readContext(db, courseId, query);
  return context ? buildView(db, courseId, context) : NOT_READY;
}

/** "Next time everyone is free" after the proposed start: the view moved there, or unmoved with a message. */
export async function moveToNextFree(db: Db, courseId: string, query: Record<string, unknown>, now: Date): Promise<AssistantView> {
  const context = await readContext(db, courseId, query);
  if (!context) return NOT_READY;
  const { proposal, excludeSeriesIds } = context;
  const timing = proposal.timing;
  const found = await nextFreeSlot(db, { invitees: proposal.invitees, zone: timing.zone, after: startOf(timing), durationMinutes: timing.durationMinutes, excludeSeriesIds, now });
  if (!found) {
    const message = `Nobody is free for ${timing.durationMinutes} minutes between ${hour(SEARCH.firstHour)} and ${hour(SEARCH.lastHour)} in the next four weeks.`;
    return { ...(await buildView(db, courseId, context)), message, announce: message };
  }
  const moved = { ...timing, startDate: localDateOf(found, timing.zone), startTime: localTimeOf(found, timing.zone) };
  const view = await buildView(db, courseId, { ...context, proposal: { ...proposal, timing: moved } });
  return { ...view, announce: `Everyone is free ${range(found, timing.durationMinutes, timing.zone)}, ${view.dayLabel}.` };
}

/** The later sessions' conflicts alone (the dialog refreshes them after each move), or null for a one-off session. */
export async function loadLaterConflicts(db: Db, courseId: string, query: Record<string, unknown>): Promise<LaterConflicts | null> {
  const context = await readContext(db, courseId, query);
  return context ? findLaterConflicts(db, courseId, context) : null;
}

async function buildView(db: Db, courseId: string, context: Context): Promise<ReadyView> {
  const { proposal, excludeSeriesIds } = context;
  const timing = proposal.timing;
  const data = await loadAssistant(db, { invitees: proposal.invitees, zone: timing.zone, date: timing.startDate, days: 1, excludeSeriesIds });
  const slotCount = Math.round((data.to - data.from) / QUARTER_MS);
  const start = startOf(timing);
  const clock = (ms: number) => localTimeOf(ms, timing.zone);
  const hours = Array.from({ length: slotCount }, (_, i) => clock(data.from + i * QUARTER_MS)).map((time) => (time.endsWith(':00') ? time : ''));
  return {
    ready: true,
    zone: timing.zone,
    date: timing.startDate,
    dayLabel: formatDate(timing.startDate, 'long'),
    time: timing.startTime,
    durationMinutes: timing.durationMinutes,
    from: data.from,
    slotCount,
    startMinutes: Math.round((start.getTime() - data.from) / 60_000),
    hours,
    rows: data.rows.map((row) => toGridRow(row, data.from, slotCount, start, timing.zone, clock)),
    later: await findLaterConflicts(db, courseId, context),
    message: null,
    announce: null,
  };
}

function toGridRow(row: AssistantRow, from: number, slotCount: number, start: Date, zone: string, clock: (ms: number) => string): GridRow {
  const states = slotStates(row, from, slotCount);
  const personZone = row.person.rules.zone;
  const there = wallTime(start, personZone, 'en-GB');
  return {
    name: row.person.name,
    role: row.person.role,
    zone: personZone === zone ? null : personZone,
    there: there.date === localDateOf(start, zone) ? there.time : `${there.weekday} ${there.time}`,
    setUp: row.setUp,
    states,
    summary: summarize(states, from, clock),
  };
}

/** Busy when any session overlaps the slot; else outside availability when any of it is not available. */
function slotStates(row: AssistantRow, from: number, slotCount: number): string {
  const busy = merge(row.busy.map(({ start, end }) => ({ start, end })));
  let states = '';
  for (let i = 0; i < slotCount; i++) {
    const slot = { start: from + i * QUARTER_MS, end: from + (i + 1) * QUARTER_MS };
    if (busy.some((b) => overlaps(b, slot))) states += SLOT.busy;
    else if (uncovered(row.available, slot).length > 0) states += SLOT.unavailable;
    else states += SLOT.free;
  }
  return states;
}

const STATE_WORDS: Record<string, string> = { [SLOT.free]: 'Free', [SLOT.busy]: 'In another session', [SLOT.unavailable]: 'Outside availability' };

/** "Free 08:00–17:00. Outside availability 00:00–08:00, 17:00–24:00." */
function summarize(states: string, from: number, clock: (ms: number) => string): string {
  const runs = new Map<string, string[]>();
  const at = (i: number) => (i === states.length ? '24:00' : clock(from + i * QUARTER_MS));
  for (let i = 0; i < states.length; ) {
    let end = i;
    while (end < states.length && states[end] === states[i]) end++;
    const list = runs.get(states[i]!) ?? [];
    list.push(`${at(i)}–${at(end)}`);
    runs.set(states[i]!, list);
    i = end;
  }
  return [SLOT.free, SLOT.busy, SLOT.unavailable]
    .filter((s) => runs.has(s))
    .map((s) => `${STATE_WORDS[s]} ${runs.get(s)!.join(', ')}.`)
    .join(' ');
}

/** Conflicts of every session of a repeating proposal other than the one the grid shows. */
async function findLaterConflicts(db: Db, courseId: string, context: Context): Promise<LaterConflicts | null> {
  const { proposal, excludeSeriesIds } = context;
  const timing = proposal.timing;
  if (timing.repeat.freq === 'none') return null;
  const report = await checkConflicts(db, { timing, invitees: proposal.invitees, excludeSeriesIds });
  const shown = startOf(timing).getTime();
  const later = report.occurrences.map((o, index) => ({ o, index })).filter(({ o }) => o.start.getTime() !== shown);
  const sessions = later
    .map(({ o, index }) => {
      const conflicts = report.conflicts.filter((c) => c.index === index);
      const lines = describeConflicts(conflicts, timing.zone, courseId).flatMap((p) => [...p.lines, ...(p.more ? [`and ${p.more} more`] : [])]);
      return { label: `Session ${index + 1}: ${formatSlot(o.start, o.end, timing.zone)}`, lines };
    })
    .filter((s) => s.lines.length > 0);
  const first = report.occurrences[0];
  const firstNote =
    first && first.start.getTime() !== shown
      ? `The repeat rule does not include the start date: the first session is ${formatSlot(first.start, first.end, timing.zone)}.`
      : null;
  return { checked: later.length, sessions: sessions.slice(0, LATER_SHOWN), more: Math.max(0, sessions.length - LATER_SHOWN), firstNote };
}

/** The proposed start (readProposal checked the date and time). */
function startOf(timing: Proposal['timing']): Date {
  return instantOfLocal(timing.startDate, timing.startTime, timing.zone);
}

function range(start: Date, minutes: number, zone: string): string {
  const clock = (d: Date) => localTimeOf(d, zone);
  return `${clock(start)} to ${clock(new Date(start.getTime() + minutes * 60_000))}`;
}

function hour(h: number): string {
  return `${String(h).padStart(2, '0')}:00`;
}
