// The Dashboard and View meeting history as the routes use them: each method is one page's or one
// action's work, for the viewer who asks, at the clock's time. Built once by the composition root.
import type { Db } from '../db/client.js';
import type { Viewer } from '../courses/service.js';
import type { Clock } from '../lib/clock.js';
import { answerRsvp, loadDashboard, loadDashboardEntry } from './dashboard.js';
import { loadHistory } from './history.js';
import { loadRecord } from './record.js';

export function createDashboardService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    dashboard: (viewer: Viewer) => loadDashboard(db, viewer, clock.now()),
    /** Stores an RSVP; refusals are FormRefusal (409, 422), ForbiddenError or NotFoundError. */
    answerRsvp: (viewer: Viewer, occurrenceId: string, body: unknown) => answerRsvp(db, viewer, occurrenceId, body, clock.now()),
    /** One Dashboard row, with the reason an RSVP was refused when there is one. */
    dashboardEntry: (viewer: Viewer, occurrenceId: string, error?: string) => loadDashboardEntry(db, viewer, occurrenceId, clock.now(), error),
    history: (viewer: Viewer, query: unknown) => loadHistory(db, viewer, query, clock.now()),
    record: (viewer: Viewer, occurrenceId: string) => loadRecord(db, viewer, occurrenceId, clock.now()),
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
