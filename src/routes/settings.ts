// "Edit settings": the person's own settings; the course in the URL only authorizes. Their profile
// from the LMS, time zone, availability (weekly hours and date exceptions), and for people who
// tutor the meeting URL and expertise tags. Each section saves on its own: an htmx request gets
// back only that section's part (partials/settings/_<part>, the page includes the same one).
import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/client.js';
import { findViewer } from '../courses/service.js';
import { addException, changeTimeZone, editWeek, loadSettings, removeException, saveWeeklyHours, setMeetingUrl } from '../availability/settings.js';
import { readWeekDraft, ZONES, type DayDraft } from '../availability/settings-schemas.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { ValidationError } from '../lib/errors.js';
import { renderPage, renderView, wantsFragment } from '../lib/render.js';
import type { Role } from '../lib/session-token.js';
import { describeExpertise, findPlatformOfUser, setExpertise } from '../tags/service.js';
import { ExpertiseForm, TagIdList } from '../tags/schemas.js';
import { parseCommand } from '../lib/forms.js';
import { loadNotificationSettings, renewFeed, setReminders, stopFeed } from '../notifications/settings.js';
import { requireCourse, requireRole } from './auth.js';

/** Instructors may also tutor, so they choose expertise tags and a meeting URL too; students and site administrators do not. */
const TUTORING_ROLES: Role[] = ['tutor', 'instructor'];

type Part = 'time-zone' | 'weekly-hours' | 'exceptions' | 'meeting-url' | 'notifications';

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
}

interface ExpertiseState {
  notice?: string;
  error?: string;
  /** The ids the person submitted, shown checked again when they could not be saved. */
  chosen?: string[];
}

type Shown = { part: Part; state: PartState } | { part: 'expertise'; state: ExpertiseState } | null;

export function settingsRoutes(db: Db, clock: Clock = systemClock): Router {
  const router = Router();
  const everyone = [requireCourse, requireRole('instructor', 'tutor', 'student', 'admin')];
  const tutoring = [requireCourse, requireRole(...TUTORING_ROLES)];
  const render = (req: Request, res: Response, shown: Shown, status = 200) => renderSettings(db, clock, req, res, shown, status);
  const userId = (res: Response) => res.locals.session!.userId;
  const field = (req: Request, name: string) => {
    const value = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  };

  /** Runs a save; a ValidationError shows the part again with its errors and what was typed, as 422. */
  const save = async (req: Request, res: Response, part: Part, action: () => Promise<PartState>, typed: () => PartState) => {
    try {
      await render(req, res, { part, state: await action() });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      await render(req, res, { part, state: { ...typed(), errors: err.fields } }, 422);
    }
  };

  router.get('/c/:courseId/settings', ...everyone, async (req, res) => {
    await render(req, res, null);
  });

  router.put('/c/:courseId/settings/time-zone', ...everyone, async (req, res) => {
    await save(req, res, 'time-zone', async () => ({ notice: (await changeTimeZone(db, userId(res), req.body)).notice, focus: 'save-time-zone' }), () => ({
      values: { zone: field(req, 'zone') },
      focus: 'time-zone-errors',
    }));
  });

  router.put('/c/:courseId/settings/availability', ...everyone, async (req, res) => {
    const edit = editWeek(req.body);
    if (edit) return render(req, res, { part: 'weekly-hours', state: { notice: edit.notice, pending: true, week: edit.week, focus: edit.focus } });
    await save(req, res, 'weekly-hours', async () => ({ notice: (await saveWeeklyHours(db, userId(res), req.body)).notice, focus: 'save-weekly-hours' }), () => ({
      week: readWeekDraft(req.body),
      focus: 'weekly-hours-errors',
    }));
  });

  router.post('/c/:courseId/settings/exceptions', ...everyone, async (req, res) => {
    await save(req, res, 'exceptions', async () => ({ notice: (await addException(db, userId(res), req.body, clock.now())).notice, focus: 'exception-date' }), () => ({
      values: { date: field(req, 'date'), kind: field(req, 'kind'), from: field(req, 'from'), to: field(req, 'to') },
      focus: 'exceptions-errors',
    }));
  });

  router.delete('/c/:courseId/settings/exceptions/:exceptionId', ...everyone, async (req, res) => {
    const { notice } = await removeException(db, userId(res), String(req.params.exceptionId));
    await render(req, res, { part: 'exceptions', state: { notice, focus: 'exception-date' } });
  });

  router.put('/c/:courseId/settings/meeting-url', ...tutoring, async (req, res) => {
    await save(req, res, 'meeting-url', async () => ({ notice: (await setMeetingUrl(db, userId(res), req.body)).notice, focus: 'save-meeting-url' }), () => ({
      values: { meetingUrl: field(req, 'meetingUrl') },
      focus: 'meeting-url-errors',
    }));
  });

  router.put('/c/:courseId/settings/reminders', ...everyone, async (req, res) => {
    await save(req, res, 'notifications', async () => ({ notice: (await setReminders(db, userId(res), req.body)).notice, focus: 'save-reminders' }), () => ({ focus: 'save-reminders' }));
  });

  // "Create link" and "Create a new link" (the old one stops working); the URL is shown once.
  router.post('/c/:courseId/settings/feed', ...everyone, async (req, res) => {
    const { hasFeed } = await loadNotificationSettings(db, userId(res));
    const { notice, feedUrl } = await renewFeed(db, userId(res), hasFeed);
    await render(req, res, { part: 'notifications', state: { notice, feedUrl, focus: 'feed-url' } });
  });

  router.delete('/c/:courseId/settings/feed', ...everyone, async (req, res) => {
    await render(req, res, { part: 'notifications', state: { notice: (await stopFeed(db, userId(res))).notice, focus: 'create-feed' } });
  });

  router.put('/c/:courseId/settings/expertise', ...tutoring, async (req, res) => {
    try {
      const { tagIds } = parseCommand(ExpertiseForm, req.body);
      const saved = await setExpertise(db, userId(res), await findPlatformOfUser(db, userId(res)), tagIds);
      const notice = saved.length === 0 ? 'Saved: you have no expertise tags.' : `Saved your ${saved.length} expertise ${saved.length === 1 ? 'tag' : 'tags'}.`;
      await render(req, res, { part: 'expertise', state: { notice } });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const chosen = TagIdList.safeParse((req.body as Record<string, unknown> | undefined)?.tagIds).data ?? [];
      await render(req, res, { part: 'expertise', state: { error: err.fields.tagIds ?? err.message, chosen } }, 422);
    }
  });

  return router;
}

/** The page, or for an htmx request only the part that was saved (the page includes the same partial). */
async function renderSettings(db: Db, clock: Clock, req: Request, res: Response, shown: Shown, status: number) {
  const session = res.locals.session!;
  const viewer = await findViewer(db, session.userId, session.courseId);
  const tutors = TUTORING_ROLES.includes(viewer.role);
  const fragment = shown !== null && wantsFragment(req);
  const expertiseState = shown?.part === 'expertise' ? shown.state : {};
  const expertise =
    tutors && (!fragment || shown?.part === 'expertise')
      ? { ...(await describeExpertise(db, session.userId, await findPlatformOfUser(db, session.userId), expertiseState.chosen)), state: expertiseState }
      : null;
  if (fragment && shown.part === 'expertise') return send(res, await renderView(res, 'partials/tags/_expertise', { expertise: expertise!, viewer, oob: true }), status);
  const settings = { ...(await loadSettings(db, session.userId, clock.now())), notifications: await loadNotificationSettings(db, session.userId) };
  const zones = settings.zone && !ZONES.includes(settings.zone) ? [settings.zone, ...ZONES] : ZONES;
  const states: Partial<Record<Part, PartState>> = shown && shown.part !== 'expertise' ? { [shown.part]: shown.state } : {};
  const locals = { viewer, settings, zones, states, tutors };
  if (fragment) return send(res, await renderView(res, `partials/settings/_${shown.part}`, { ...locals, state: shown.state, fragment: true }), status);
  await renderPage(res, 'pages/settings/index', { title: 'Edit settings', ...locals, expertise, current: 'settings' }, status);
}

function send(res: Response, html: string, status: number) {
  res.status(status).type('html').send(html);
}
