// What happens after the LTI layer has verified a launch: record who came from which course,
// hand out a short-lived token, and send the person to their role's home.
import type { Response } from 'express';
import type { Clock } from '../lib/clock.js';
import type { FrameAncestors } from '../lib/csp.js';
import type { LaunchTokens } from '../lib/session-token.js';
import { launchErrors, pageForLtiError } from '../lti/errors.js';
import type { LtiHandlers } from '../lti/provider.js';
import type { Services } from '../services.js';
import { homePathFor } from './auth.js';

/** Shown by the launch page when the LMS window does not confirm the launch. */
const refusalPage = () => pageForLtiError('STATE_NOT_IN_PLATFORM_STORAGE').page;

export interface LaunchDeps {
  services: Pick<Services, 'courses' | 'notifications'>;
  tokens: LaunchTokens;
  clock: Clock;
  frames: FrameAncestors;
  launchUrl: string;
  renderStandalone(res: Response, view: string, locals: Record<string, unknown>, status?: number): Promise<void>;
}

export function createLaunchHandlers(deps: LaunchDeps): LtiHandlers {
  return {
    onLaunch: async (launch, res) => {
      const outcome = await deps.services.courses.recordLaunch(launch, deps.clock.now());
      deps.frames.add(launch.returnUrl);
      const token = await deps.tokens.issue(outcome);
      // The token goes into this page only (never a URL); its script opens the home page with it.
      // A session link from an email opened shortly before lands this launch on that session, once.
      const home = (await deps.services.notifications.takeLaunchDestination(outcome.userId, outcome.courseId)) ?? homePathFor(outcome);
      await deps.renderStandalone(res, 'pages/lti/launched', { title: 'Opening TutorKit…', token, home, check: null, refusal: refusalPage() });
    },
    onDeepLink: async (launch, res, responder, check) => {
      if (launch.role !== 'instructor' && launch.role !== 'admin') throw launchErrors.deepLinkNotAllowed();
      await deps.services.courses.recordLaunch(launch, deps.clock.now());
      const item = { type: 'ltiResourceLink', title: 'TutorKit', text: 'Tutoring sessions, reports and early alerts', url: deps.launchUrl };
      const jwt = await responder.sign([item], 'TutorKit was added to your course.');
      await deps.renderStandalone(res, 'pages/lti/deep-link', { title: 'Add TutorKit to your course', returnUrl: responder.returnUrl, jwt, course: launch.course, check, refusal: refusalPage() });
    },
    render: deps.renderStandalone,
    sendError: (res, error) => {
      void deps.renderStandalone(res, 'pages/error', { title: error.page.title, error: error.page }, error.status);
    },
  };
}
