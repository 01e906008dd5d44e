// What every request goes through around the routes: the form body check before them, the one
// error handler after them (typed errors as pages or, for htmx, as a message in place).
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, NotFoundError, requestErrorOf, RoleChangedError, UnsupportedFormError } from '../lib/errors.js';
import { TooManyRequestsError } from '../lib/limits.js';
import { isHtmx, renderPage, renderView } from '../lib/respond.js';

/**
 * Every page that takes input takes a web form. Anything else (JSON, plain text) is refused with a
 * page that says so; a request with no body at all reads as an empty form, which the page's own
 * validation then answers.
 */
export const formBodiesOnly: RequestHandler = (req, _res, next) => {
  if (req.method !== 'GET' && req.method !== 'HEAD' && hasBody(req) && !req.is('application/x-www-form-urlencoded')) return next(new UnsupportedFormError());
  req.body ??= {};
  next();
};

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && Number(length) > 0);
}

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError());

export function errorHandler(log: Logger): ErrorRequestHandler {
  return async (err: unknown, req, res, _next) => {
    const error = err instanceof AppError ? err : requestErrorOf(err);
    if (!error) log.error({ err }, 'unhandled error');
    const status = error?.status ?? 500;
    const page = error?.page ?? {
      title: 'Something went wrong',
      message: 'TutorKit could not complete this request. Nothing you saved before was lost.',
      next: 'Try again in a moment. If it keeps happening, tell your LMS administrator.',
    };
    if (res.headersSent) return;
    if (error instanceof TooManyRequestsError) res.set('Retry-After', String(error.retryAfterSeconds));
    try {
      if (isHtmx(req)) {
        // An expired session (or a changed role) sends the whole page to the relaunch notice; other errors show in place.
        if (status === 401) {
          res.set('HX-Redirect', error instanceof RoleChangedError ? '/role-changed' : '/expired').status(401).end();
          return;
        }
        const html = await renderView(res, 'partials/_error', { error: page });
        res.set({ 'HX-Retarget': '#messages', 'HX-Reswap': 'innerHTML' }).status(status).type('html').send(html);
        return;
      }
      await renderPage(res, 'pages/error', { title: page.title, error: page, needsToken: status === 401 }, status);
    } catch (renderErr) {
      log.error({ err: renderErr }, 'error page failed to render');
      res.status(status).type('text').send(`${page.title}\n\n${page.message}\n\n${page.next ?? ''}`);
    }
  };
}
