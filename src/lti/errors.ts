// Turns ltijs's error codes into pages a person can act on. ltijs itself answers with JSON.
import { AppError } from '../lib/errors.js';

const RELAUNCH = 'Go back to your course and open TutorKit again from there.';
const CONTACT_ADMIN = 'If this keeps happening, tell your LMS administrator what this page says.';

interface Rule {
  test: RegExp;
  status: number;
  title: string;
  message: string;
  next: string;
}

const RULES: Rule[] = [
  {
    test: /MISSING_VALIDATION_COOKIE|ISS_CLAIM_DOES_NOT_MATCH|STATE/,
    status: 401,
    title: 'This launch could not be verified',
    message: 'The sign-in check that TutorKit started when you opened it was not returned by your browser, or belongs to another launch.',
    next: `${RELAUNCH} If your browser blocks cookies for sites inside your course, allow them for TutorKit or open TutorKit in a new window.`,
  },
  {
    test: /NONCE_ALREADY_RECEIVED|duplicate key|unique constraint/i,
    status: 401,
    title: 'This launch was already used',
    message: 'Each launch from your course can be used only once, and this one has been used before (for example by going back or reloading).',
    next: RELAUNCH,
  },
  {
    test: /jwt expired|TOKEN_TOO_OLD|jwt not active/i,
    status: 401,
    title: 'This launch has expired',
    message: 'Your course sent TutorKit a launch that is too old to accept. This can happen on a slow connection or when the clocks of the two servers disagree.',
    next: `${RELAUNCH} ${CONTACT_ADMIN}`,
  },
  {
    test: /invalid signature|KEY_NOT_FOUND|KID_NOT_FOUND|KEYSET_NOT_FOUND|INVALID_JWT|jwt malformed|invalid algorithm|ALG_NOT_RS256|invalid token/i,
    status: 401,
    title: 'The launch signature is not valid',
    message: 'TutorKit could not verify that this launch really came from your LMS.',
    next: `${RELAUNCH} ${CONTACT_ADMIN} (The LMS's signing keys may have changed.)`,
  },
  {
    test: /UNREGISTERED_PLATFORM|PLATFORM_NOT_ACTIVATED|AZP_DOES_NOT_MATCH|PLATFORM_NOT_FOUND/,
    status: 403,
    title: 'This LMS is not registered with TutorKit',
    message: 'TutorKit does not know the LMS (or the client ID) this launch came from.',
    next: 'Ask your LMS administrator to register TutorKit for this LMS (npm run register-platform, see the README).',
  },
  {
    test: /NO_.*_CLAIM|WRONG_LTI_VERSION|MISSING_LOGIN_PARAMETERS/,
    status: 400,
    title: 'The launch is incomplete',
    message: 'Your LMS sent a launch that is missing information TutorKit needs, or uses an LTI version TutorKit does not support (TutorKit needs LTI 1.3).',
    next: `${RELAUNCH} ${CONTACT_ADMIN}`,
  },
  {
    test: /NO_LTIK_OR_IDTOKEN_FOUND/,
    status: 400,
    title: 'Open TutorKit from your course',
    message: 'This address only accepts launches sent by an LMS.',
    next: 'Open your course in your LMS and click the TutorKit link there.',
  },
];

/** The page for an ltijs failure code or message. Unknown failures get a generic page, never details. */
export function pageForLtiError(code: string): AppError {
  const rule = RULES.find((r) => r.test.test(code));
  if (rule) return new AppError(rule.status, { title: rule.title, message: rule.message, next: rule.next });
  return new AppError(401, {
    title: 'TutorKit could not complete the launch',
    message: 'Something went wrong while checking the launch from your course.',
    next: `${RELAUNCH} ${CONTACT_ADMIN}`,
  });
}

export const launchErrors = {
  noCourse: () =>
    new AppError(400, {
      title: 'Open TutorKit from a course',
      message: 'This launch did not say which course it came from. TutorKit works inside a course.',
      next: 'Add TutorKit to a course in your LMS and open it from there.',
    }),
  unknownRole: () =>
    new AppError(403, {
      title: 'Your course role is not supported',
      message: 'TutorKit is for instructors, tutors (teaching assistants and mentors), students and administrators, and your LMS did not send any of these roles.',
      next: 'Ask your instructor or LMS administrator to check your role in this course.',
    }),
  deepLinkNotAllowed: () =>
    new AppError(403, {
      title: 'Only course staff can add TutorKit',
      message: 'Adding TutorKit to a course is for instructors and administrators.',
      next: 'Ask your instructor to add TutorKit to the course.',
    }),
};
