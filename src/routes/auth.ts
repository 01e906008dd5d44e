// Authentication and per-course authorization for every page after the launch.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ForbiddenError, SessionExpiredError } from '../lib/errors.js';
import type { Role, Session, SessionTokens } from '../lib/session-token.js';

export const TOKEN_HEADER = 'X-TutorKit-Token';

declare module 'express-serve-static-core' {
  interface Locals {
    session?: Session;
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

export function requireSession(tokens: SessionTokens): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = await tokens.verify(readToken(req));
    if (!session) return next(new SessionExpiredError());
    res.locals.session = session;
    const refreshed = await tokens.refreshIfDue(session);
    if (refreshed) res.set(TOKEN_HEADER, refreshed);
    next();
  };
}

/** The course in the URL must be the course the token was issued for. */
export const requireCourse: RequestHandler = (req, res, next) => {
  if (req.params.courseId !== res.locals.session?.courseId) {
    return next(new ForbiddenError('This page belongs to a course you did not open TutorKit from.'));
  }
  next();
};

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const session = res.locals.session;
    if (!session || !roles.includes(session.role)) return next(new ForbiddenError());
    next();
  };
}

export const requireAdmin: RequestHandler = (_req, res, next) => {
  if (!res.locals.session?.isAdmin) return next(new ForbiddenError('Site settings are for TutorKit administrators.'));
  next();
};

export function homePathFor(session: Pick<Session, 'role' | 'courseId'>): string {
  switch (session.role) {
    case 'admin':
      return '/admin/settings';
    case 'instructor':
      return `/c/${session.courseId}/portal`;
    default:
      return `/c/${session.courseId}/sessions`;
  }
}
