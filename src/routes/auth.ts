// Authentication and per-course authorization for every page after the launch: who is asking
// (res.locals.launch, from the bearer token), as whom in this course (res.locals.viewer).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { CoursesService, Viewer } from '../courses/service.js';
import { ForbiddenError, RoleChangedError, SessionExpiredError } from '../lib/errors.js';
import type { LaunchSession, LaunchTokens, Role } from '../lib/session-token.js';

export const TOKEN_HEADER = 'X-TutorKit-Token';

declare module 'express-serve-static-core' {
  interface Locals {
    /** Who launched, from which course, as what: set by requireLaunch. */
    launch?: LaunchSession;
    /** The person as stored now, for the page shell and the services: set by loadViewer. */
    viewer?: Viewer;
  }
}

/**
 * Reads the bearer token from the Authorization header, which only our page script sets. A token
 * in a URL or a form field is not accepted: anyone could send a person a link carrying their own
 * token and have them act under the wrong identity (login CSRF).
 */
function readToken(req: Request): string | undefined {
  const header = req.get('authorization');
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

export function requireLaunch(tokens: LaunchTokens): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const launch = await tokens.verify(readToken(req));
    if (!launch) return next(new SessionExpiredError());
    res.locals.launch = launch;
    const refreshed = await tokens.refreshIfDue(launch);
    if (refreshed) res.set(TOKEN_HEADER, refreshed);
    next();
  };
}

/** The course in the URL must be the course the token was issued for. */
export const requireCourse: RequestHandler = (req, res, next) => {
  if (req.params.courseId !== res.locals.launch?.courseId) {
    return next(new ForbiddenError('This page belongs to a course you did not open TutorKit from.'));
  }
  next();
};

/**
 * The launching person in their course, as stored now: a removed membership ends access, and so
 * does a changed role (a tutor role given or taken back on the Tutors page): the token's role
 * decided which routes were open, so the person opens TutorKit again to act as what they are now.
 */
export function loadViewer(courses: CoursesService): RequestHandler {
  return async (_req, res, next) => {
    const launch = res.locals.launch!;
    const viewer = await courses.findViewer(launch.userId, launch.courseId);
    if (viewer.role !== launch.role) return next(new RoleChangedError());
    res.locals.viewer = viewer;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const launch = res.locals.launch;
    if (!launch || !roles.includes(launch.role)) return next(new ForbiddenError());
    next();
  };
}

export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!res.locals.launch?.isAdmin) return next(new ForbiddenError('Site settings are for TutorKit administrators.'));
  next();
};

/**
 * The roles that may use a route, then the viewer loaded for it: the cheap refusal (a role read
 * from the token) first, the database after, so that refused or bounded requests cost no query.
 */
export function allowFor(courses: CoursesService): (...roles: Role[]) => RequestHandler[] {
  const viewer = loadViewer(courses);
  return (...roles) => [requireRole(...roles), viewer];
}

/** The viewer of a request that passed loadViewer. */
export function viewerOf(res: Response): Viewer {
  const viewer = res.locals.viewer;
  if (!viewer) throw new Error('loadViewer must run before this handler');
  return viewer;
}

export function homePathFor(launch: Pick<LaunchSession, 'role' | 'courseId'>): string {
  switch (launch.role) {
    case 'admin':
      return '/admin/settings';
    case 'instructor':
      return `/c/${launch.courseId}/portal`;
    default:
      return `/c/${launch.courseId}/dashboard`;
  }
}
