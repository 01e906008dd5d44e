// The Dashboard (Active sessions, upcoming sessions with RSVP, feedback still to write), the RSVP
// itself, and View meeting history with each past session's record. Each handler reads the
// request, calls the meetings service once, renders.
import { Router, type Response } from 'express';
import type { DashboardEntry } from '../meetings/dashboard.js';
import { renderPage, respond, sendFragment, submitForm } from '../lib/respond.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

export function dashboardRoutes(services: Services): Router {
  const router = Router();
  const { meetings } = services;
  const allow = allowFor(services.courses);
  const everyone = allow('instructor', 'tutor', 'student', 'admin');

  router.get('/c/:courseId/dashboard', ...everyone, async (_req, res) => {
    await renderPage(res, 'pages/meetings/dashboard', { title: 'Dashboard', dashboard: await meetings.dashboard(viewerOf(res)), current: 'dashboard' });
  });

  // Going / Maybe / Not going, from a Dashboard row: the row comes back in place, or with the reason it was refused.
  router.post('/c/:courseId/sessions/:occurrenceId/rsvp', ...allow('tutor', 'student'), async (req, res) => {
    const viewer = viewerOf(res);
    const occurrenceId = String(req.params.occurrenceId);
    await submitForm(
      async () => {
        await meetings.answerRsvp(viewer, occurrenceId, req.body);
        await sendRow(res, await meetings.dashboardEntry(viewer, occurrenceId));
      },
      async (refusal) => sendRow(res, await meetings.dashboardEntry(viewer, occurrenceId, refusal.page.message), refusal.status),
    );
  });

  // The filter form and the list are one region (#history): a filter or a page link swaps it in place.
  router.get('/c/:courseId/history', ...everyone, async (req, res) => {
    const history = await meetings.history(viewerOf(res), req.query);
    await respond(req, res, {
      page: 'pages/meetings/history',
      title: 'Meeting history',
      fragment: { view: 'partials/meetings/_history-region', target: 'history' },
      locals: { history, current: 'history' },
      status: history.status,
    });
  });

  router.get('/c/:courseId/history/:occurrenceId', ...everyone, async (req, res) => {
    const record = await meetings.record(viewerOf(res), String(req.params.occurrenceId));
    await renderPage(res, 'pages/meetings/record', { title: record.name, record, current: 'history' });
  });

  return router;
}

function sendRow(res: Response, entry: DashboardEntry, status = 200) {
  return sendFragment(res, 'partials/meetings/_dash-session', { e: entry, fragment: true }, status);
}
