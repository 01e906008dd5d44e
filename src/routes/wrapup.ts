// The end of a session: the tutor's feedback and diagnosis for each student who attended, End
// meeting, and the student's Exit resources and rating. Each handler calls the wrap-up service
// once and renders; a student's feedback form answers htmx with its own section alone.
import { Router, type Request, type Response } from 'express';
import { respond, submitForm } from '../lib/respond.js';
import type { FeedbackState, RatingState } from '../meetings/wrapup.js';
import type { Services } from '../services.js';
import { allowFor, viewerOf } from './auth.js';

type Body = Record<string, unknown>;

const text = (body: Body, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');

export function wrapupRoutes(services: Services): Router {
  const router = Router();
  const { wrapup } = services;
  const allow = allowFor(services.courses);
  const base = '/c/:courseId/sessions/:occurrenceId';
  const idOf = (req: Request) => String(req.params.occurrenceId);

  /** The feedback page, or for an htmx save only the section of the student it was about. */
  const showFeedback = async (req: Request, res: Response, state: FeedbackState = {}, status = 200) => {
    const page = await wrapup.feedbackPage(viewerOf(res), idOf(req), state);
    const student = page.students.find((s) => s.studentId === state.studentId);
    await respond(req, res, {
      page: 'pages/meetings/feedback',
      title: `Feedback: ${page.name}`,
      fragment: student ? { view: 'partials/meetings/_wrap-student', target: `wrap-student-${student.studentId}` } : undefined,
      locals: { page, student, ended: req.query.ended === '1', current: 'sessions' },
      status,
    });
  };

  const showRating = async (req: Request, res: Response, state: RatingState = {}, status = 200) => {
    const page = await wrapup.ratingPage(viewerOf(res), idOf(req), state);
    await respond(req, res, {
      page: 'pages/meetings/rating',
      title: `Rate ${page.name}`,
      fragment: { view: 'partials/meetings/_wrap-rating', target: 'wrap-rating' },
      locals: { page, current: 'sessions' },
      status,
    });
  };

  router.get(`${base}/feedback`, ...allow('tutor', 'instructor', 'admin'), (req, res) => showFeedback(req, res));

  router.post(`${base}/feedback`, ...allow('tutor', 'instructor', 'admin'), async (req, res) => {
    const body = req.body as Body;
    await submitForm(
      async () => {
        const saved = await wrapup.saveFeedback(viewerOf(res), idOf(req), body);
        await showFeedback(req, res, { studentId: saved.studentId, notice: saved.finished ? 'Feedback finished.' : 'Draft saved. Finish it when the diagnosis is ready.' });
      },
      async (refusal) => {
        const values = Object.fromEntries(['forStudent', 'private', 'prerequisite', 'mastery', 'topicTagId'].map((name) => [name, text(body, name)]));
        await showFeedback(req, res, { studentId: text(body, 'studentId'), values, errors: refusal.fields }, refusal.status);
      },
    );
  });

  router.post(`${base}/end`, ...allow('tutor', 'instructor'), async (req, res) => {
    const viewer = viewerOf(res);
    await wrapup.endMeeting(viewer, idOf(req));
    // The guide's order: once the meeting has ended, the tutor leaves feedback.
    res.redirect(303, `/c/${viewer.courseId}/sessions/${idOf(req)}/feedback?ended=1`);
  });

  router.get(`${base}/rating`, ...allow('student'), (req, res) => showRating(req, res));

  router.post(`${base}/rating`, ...allow('student'), async (req, res) => {
    const body = req.body as Body;
    await submitForm(
      async () => {
        await wrapup.saveRating(viewerOf(res), idOf(req), body);
        await showRating(req, res, { notice: 'Thank you: your rating was saved.' });
      },
      (refusal) => showRating(req, res, { values: { stars: text(body, 'stars'), comment: text(body, 'comment') }, errors: refusal.fields }, refusal.status),
    );
  });

  return router;
}
