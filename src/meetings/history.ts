// View meeting history: the past sessions a person may look back on (newest first, filtered by
// date range and Topic tag, a page at a time), each with its length, tutors and attendance.
// A session's record is in record.ts.
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { viewerZone, type Viewer } from '../courses/service.js';
import { addDays, formatRange, isLocalDate, startOfLocalDay } from '../lib/time.js';
import * as q from './history-queries.js';

export const HISTORY_PAGE_SIZE = 20;
const MINUTE_MS = 60_000;

/** The filter as typed (kept in the form), and its errors. */
export interface HistoryFilterInput {
  from: string;
  to: string;
  topic: string;
}

export interface HistoryEntry {
  occurrenceId: string;
  name: string;
  when: string;
  /** Actual length when the meeting ran, else the scheduled length (`ran` false). */
  minutes: number;
  ran: boolean;
  tutors: string;
  attendance: string;
  cancelled: boolean;
}

export interface HistoryPage {
  zone: string;
  /** Whose sessions the list holds, in words. */
  scope: string;
  filter: HistoryFilterInput;
  errors: Record<string, string>;
  topics: { id: string; name: string }[];
  entries: HistoryEntry[];
  total: number;
  page: number;
  pages: number;
  links: { previous: string | null; next: string | null };
  /** 422 when the filter was refused; nothing is listed then. */
  status: 200 | 422;
}

const text = z.preprocess((v) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? '' : v), z.string().max(100).catch(''));
const HistoryQuery = z.object({ from: text, to: text, topic: text, page: text });

export function scopeOf(viewer: Viewer): q.HistoryScope {
  const kind = viewer.role === 'instructor' || viewer.role === 'admin' ? 'all' : viewer.role === 'tutor' ? 'tutor' : 'student';
  return { courseId: viewer.courseId, userId: viewer.userId, kind };
}

const SCOPE_WORDS: Record<q.HistoryScope['kind'], string> = {
  all: 'Every past session of this community.',
  tutor: 'The past sessions you ran or were invited to run.',
  student: 'The past sessions you were invited to or attended.',
};

export async function loadHistory(db: Db, viewer: Viewer, query: unknown, now: Date): Promise<HistoryPage> {
  const zone = viewerZone(viewer);
  const scope = scopeOf(viewer);
  const topics = await q.listCourseTopics(db, viewer.courseId);
  const raw = HistoryQuery.parse(query ?? {});
  const filter = { from: raw.from, to: raw.to, topic: raw.topic };
  const read = readFilter(filter, raw.page, zone, topics);
  const base = { zone, scope: SCOPE_WORDS[scope.kind], filter, topics };
  if (read.errors) return { ...base, errors: read.errors, entries: [], total: 0, page: 1, pages: 0, links: { previous: null, next: null }, status: 422 };
  const total = await q.countHistory(db, scope, read.filter, now);
  const pages = Math.ceil(total / HISTORY_PAGE_SIZE);
  const page = Math.min(read.page, Math.max(pages, 1));
  const rows = await q.listHistory(db, scope, read.filter, now, { limit: HISTORY_PAGE_SIZE, offset: (page - 1) * HISTORY_PAGE_SIZE });
  const href = (n: number) => historyHref(viewer.courseId, filter, n);
  return {
    ...base,
    errors: {},
    entries: rows.map((r) => toEntry(r, scope.kind, zone)),
    total,
    page,
    pages,
    links: { previous: page > 1 ? href(page - 1) : null, next: page < pages ? href(page + 1) : null },
    status: 200,
  };
}

/** The filter's dates as instants in the viewer's zone (the "to" day is included), or what is wrong with it. */
function readFilter(filter: HistoryFilterInput, pageText: string, zone: string, topics: { id: string }[]) {
  const errors: Record<string, string> = {};
  const dateError = (value: string) => (value && !isLocalDate(value) ? 'Enter a date as year-month-day, for example 2027-03-01.' : null);
  const fromError = dateError(filter.from);
  const toError = dateError(filter.to);
  if (fromError) errors.from = fromError;
  if (toError) errors.to = toError;
  if (!fromError && !toError && filter.from && filter.to && filter.to < filter.from) errors.to = 'The end date must be on or after the start date.';
  if (filter.topic && !topics.some((t) => t.id === filter.topic)) errors.topic = 'Choose a topic from the list.';
  const page = pageText === '' ? 1 : Number(pageText);
  if (!Number.isInteger(page) || page < 1 || page > 100_000) errors.page = 'That page does not exist. Go back to the first page.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors: null,
    page,
    filter: {
      from: filter.from ? startOfLocalDay(filter.from, zone) : null,
      until: filter.to ? startOfLocalDay(addDays(filter.to, 1), zone) : null,
      topicTagId: filter.topic || null,
    },
  };
}

function historyHref(courseId: string, filter: HistoryFilterInput, page: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/c/${courseId}/history${query ? `?${query}` : ''}`;
}

type HistoryRow = Awaited<ReturnType<typeof q.listHistory>>[number];

function toEntry(row: HistoryRow, kind: q.HistoryScope['kind'], zone: string): HistoryEntry {
  const ran = row.startedAt !== null && row.endedAt !== null;
  const scheduled = Math.round((row.endsAt.getTime() - row.startsAt.getTime()) / MINUTE_MS);
  return {
    occurrenceId: row.occurrenceId,
    name: row.name,
    when: formatRange(row.startsAt, row.endsAt, zone),
    minutes: ran ? Math.max(1, Math.round((row.endedAt!.getTime() - row.startedAt!.getTime()) / MINUTE_MS)) : scheduled,
    ran,
    tutors: row.tutors ?? 'No tutor',
    attendance: attendanceSummary(row, kind),
    cancelled: row.status === 'cancelled',
  };
}

/**
 * A session's attendance in a few words. Cancelled sessions produce no no-shows; a session nobody
 * started is a tutor no-show. Students read their own attendance, staff and tutors the counts.
 */
export function attendanceSummary(row: Pick<HistoryRow, 'status' | 'startedAt' | 'studentsAttended' | 'noShows' | 'viewerAttended'>, kind: q.HistoryScope['kind']): string {
  if (row.status === 'cancelled') return 'Cancelled';
  if (row.startedAt === null) return 'Tutor no-show';
  if (kind === 'student') return row.viewerAttended ? 'You attended' : 'No-show';
  const came = `${row.studentsAttended} ${row.studentsAttended === 1 ? 'student' : 'students'} attended`;
  return row.noShows > 0 ? `${came}, ${row.noShows} ${row.noShows === 1 ? 'no-show' : 'no-shows'}` : came;
}
