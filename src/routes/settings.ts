// "Edit settings": the person's own settings; the course in the URL only authorizes. Their profile
// from the LMS, time zone, availability (weekly hours and date exceptions), and for people who
// tutor the meeting URL and expertise tags. Each section saves on its own: an htmx request gets
// back only that section's part (partials/settings/_<part>, the page includes the same one).
import { Router, type Request, type Response } from 'express';
import { readWeekDraft, type DayDraft } from '../availability/settings-schemas.js';
import type { Viewer } from '../courses/service.js';
import { respond, submitForm } from '../lib/respond.js';
import { TagIdList } from '../tags/schemas.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

type Part = 'time-zone' | 'weekly-hours' | 'exceptions' | 'meeting-url' | 'notifications' | 'expertise';

/** What one part shows after an action: its notice, field errors and typed values, the control to focus. */
interface PartState {
  notice?: string;
  /** A change the person still has to save (Add hours, Remove): shown as information, not success. */
  pending?: boolean;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  week?: DayDraft[];
  focus?: string;
  /** A calendar feed URL just created: shown this once, never stored. */
  feedUrl?: string;
  /** Expertise: the error, and the ids submitted, shown checked again when they could not be saved. */
  error?: string;
  chosen?: string[];
}

export function settingsRoutes(services: Services): Router {
  const router = Router();
  const { account } = services;
  const allow = allowFor(services.courses);
  const everyone = allow('instructor', 'tutor', 'student', 'admin');
  const tutoring = allow('tutor', 'instructor');

  /** The page, or for an htmx request only the part that was acted on (the page includes the same partial). */
  const show = async (req: Request, res: Response, part: Part | null, state: PartState = {}, status = 200) => {
    const viewer = viewerOf(res);
    const data = await account.page(viewer, part === 'expertise' ? state.chosen : undefined);
    const expertise = data.expertise && { ...data.expertise, state: part === 'expertise' ? state : {} };
    const fragment = part === 'expertise' ? 'partials/tags/_expertise' : `partials/settings/_${part}`;
    await respond(req, res, {
      page: 'pages/settings/index',
      title: 'Edit settings',
      ...(part ? { fragment: { view: fragment } } : {}),
      locals: { ...data, expertise, states: part ? { [part]: state } : {}, state, current: 'settings' },
      status,
    });
  };
  /** Runs a save; a refusal shows the part again with its errors and what was typed, as 422. */
  const save = (req: Request, res: Response, part: Part, action: (viewer: Viewer) => Promise<PartState>, typed: () => PartState) =>
    submitForm(
      async () => show(req, res, part, await action(viewerOf(res))),
      (refusal) => show(req, res, part, { ...typed(), errors: refusal.fields, error: refusal.fields.tagIds ?? refusal.page.message }, refusal.status),
    );
  const field = (req: Request, name: string) => {
    const value = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  };

  router.get('/c/:courseId/settings', ...everyone, (req, res) => show(req, res, null));

  router.put('/c/:courseId/settings/time-zone', ...everyone, (req, res) =>
    save(req, res, 'time-zone', async (viewer) => ({ notice: (await account.changeTimeZone(viewer, req.body)).notice, focus: 'save-time-zone' }), () => ({
      values: { zone: field(req, 'zone') },
      focus: 'time-zone-errors',
    })),
  );

  router.put('/c/:courseId/settings/availability', ...everyone, async (req, res) => {
    const edit = account.editWeek(req.body);
    if (edit) return show(req, res, 'weekly-hours', { notice: edit.notice, pending: true, week: edit.week, focus: edit.focus });
    await save(req, res, 'weekly-hours', async (viewer) => ({ notice: (await account.saveWeeklyHours(viewer, req.body)).notice, focus: 'save-weekly-hours' }), () => ({
      week: readWeekDraft(req.body),
      focus: 'weekly-hours-errors',
    }));
  });

  router.post('/c/:courseId/settings/exceptions', ...everyone, (req, res) =>
    save(req, res, 'exceptions', async (viewer) => ({ notice: (await account.addException(viewer, req.body)).notice, focus: 'exception-date' }), () => ({
      values: { date: field(req, 'date'), kind: field(req, 'kind'), from: field(req, 'from'), to: field(req, 'to') },
      focus: 'exceptions-errors',
    })),
  );

  router.delete('/c/:courseId/settings/exceptions/:exceptionId', ...everyone, async (req, res) => {
    const { notice } = await account.removeException(viewerOf(res), String(req.params.exceptionId));
    await show(req, res, 'exceptions', { notice, focus: 'exception-date' });
  });

  router.put('/c/:courseId/settings/meeting-url', ...tutoring, (req, res) =>
    save(req, res, 'meeting-url', async (viewer) => ({ notice: (await account.setMeetingUrl(viewer, req.body)).notice, focus: 'save-meeting-url' }), () => ({
      values: { meetingUrl: field(req, 'meetingUrl') },
      focus: 'meeting-url-errors',
    })),
  );

  router.put('/c/:courseId/settings/reminders', ...everyone, (req, res) =>
    save(req, res, 'notifications', async (viewer) => ({ notice: (await account.setReminders(viewer, req.body)).notice, focus: 'save-reminders' }), () => ({ focus: 'save-reminders' })),
  );

  // "Create link" and "Create a new link" (the old one stops working); the URL is shown once.
  router.post('/c/:courseId/settings/feed', ...everyone, async (req, res) => {
    const { notice, feedUrl } = await account.renewFeed(viewerOf(res));
    await show(req, res, 'notifications', { notice, feedUrl, focus: 'feed-url' });
  });

  router.delete('/c/:courseId/settings/feed', ...everyone, async (req, res) => {
    await show(req, res, 'notifications', { notice: (await account.stopFeed(viewerOf(res))).notice, focus: 'create-feed' });
  });

  router.put('/c/:courseId/settings/expertise', ...tutoring, (req, res) =>
    save(req, res, 'expertise', async (viewer) => ({ notice: (await account.setExpertise(viewer, req.body)).notice }), () => ({
      chosen: TagIdList.safeParse((req.body as Record<string, unknown> | undefined)?.tagIds).data ?? [],
    })),
  );

  return router;
}
