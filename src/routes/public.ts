// Pages anyone can reach without a launch: registration info, the Canvas key, health, expiry.
import { Router } from 'express';
import { canvasDeveloperKey, registrationUrls } from '../lti/registration-info.js';
import type { DemoLms } from '../demo/service.js';
import { fullName } from '../demo/people.js';
import { renderPage } from '../lib/respond.js';
import { RoleChangedError, SessionExpiredError } from '../lib/errors.js';

export interface Health {
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  kind: string;
}

export function publicRoutes(deps: { baseUrl: string; health: Health; demo: DemoLms | null; live?: () => { streams: number; topics: number } }): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const people = deps.demo?.people ?? [];
    const byRole = (role: string) => people.filter((p) => p.role === role).map((p) => ({ sub: p.sub, name: fullName(p) }));
    await renderPage(res, 'pages/home', {
      title: 'TutorKit',
      urls: registrationUrls(deps.baseUrl),
      demo: deps.demo ? { instructor: byRole('instructor'), tutor: byRole('tutor'), student: byRole('student') } : null,
    });
  });

  router.get('/lti-config.json', (_req, res) => {
    res.json(canvasDeveloperKey(deps.baseUrl));
  });

  router.get('/healthz', async (_req, res) => {
    try {
      await deps.health.ping();
      res.json({ status: 'ok', database: deps.health.kind, ...(deps.live ? { live: deps.live() } : {}) });
    } catch {
      res.status(503).json({ status: 'unavailable', database: deps.health.kind });
    }
  });

  for (const [path, error] of [['/expired', new SessionExpiredError()], ['/role-changed', new RoleChangedError()]] as const) {
    router.get(path, async (_req, res) => {
      await renderPage(res, 'pages/error', { title: error.page.title, error: error.page }, error.status);
    });
  }

  return router;
}
