// The demo LMS's two pages: start a launch as someone, and its OIDC authorization endpoint.
import { Router } from 'express';
import { z } from 'zod';
import type { DemoLms } from '../demo/service.js';
import { ValidationError } from '../lib/errors.js';
import { renderPage } from '../lib/respond.js';

const StartLaunch = z.object({ person: z.string().min(1) });

export function demoRoutes(demo: DemoLms, loginUrl: string): Router {
  const router = Router();

  router.post('/demo-lms/launch', async (req, res) => {
    const parsed = StartLaunch.safeParse(req.body);
    const person = parsed.success ? demo.people.find((p) => p.sub === parsed.data.person) : undefined;
    if (!person) throw new ValidationError('Choose someone from the demo course to launch as.');
    await renderPage(res, 'pages/demo/post-form', {
      title: 'Opening TutorKit…',
      action: loginUrl,
      fields: demo.loginFields(person),
      explanation: 'The demo LMS is starting an LTI 1.3 launch (OIDC login initiation).',
    });
  });

  router.get('/demo-lms/auth', async (req, res) => {
    const { redirectUri, idToken, state } = await demo.authorize(req.query);
    await renderPage(res, 'pages/demo/post-form', {
      title: 'Opening TutorKit…',
      action: redirectUri,
      fields: { id_token: idToken, state },
      explanation: 'The demo LMS signed you in and is sending TutorKit a signed id_token.',
    });
  });

  return router;
}
