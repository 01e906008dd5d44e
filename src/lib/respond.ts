// The one way TutorKit answers a request with HTML: a page inside the layout, or, for an htmx
// request that targets one element, the fragment alone (a page includes the very partial the
// fragment request gets). And the one way a form that was refused comes back: the same view with
// the errors, 422 for invalid input or 409 for a conflict.
import type { Request, Response } from 'express';
import { FormRefusal } from './errors.js';

export interface PageView {
  /** The page's view, rendered inside layouts/main. */
  page: string;
  /** Its <title> and, usually, its h1. */
  title: string;
  /** The partial an htmx request for `target` gets alone, with the same locals. */
  fragment?: { view: string; target?: string };
  locals?: Record<string, unknown>;
  status?: number;
}

/** Renders a view with the request's locals (viewer, launch, current) under the given ones. */
export function renderView(res: Response, view: string, locals: Record<string, unknown> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    res.app.render(view, { ...res.locals, ...locals }, (err, html) => (err ? reject(err) : resolve(html)));
  });
}

/** The page inside the layout. */
export async function renderPage(res: Response, view: string, locals: Record<string, unknown> & { title: string }, status = 200): Promise<void> {
  const body = await renderView(res, view, locals);
  const html = await renderView(res, 'layouts/main', { ...locals, body });
  res.status(status).type('html').send(html);
}

/** A partial alone: the answer to an htmx request that replaces one element. */
export async function sendFragment(res: Response, view: string, locals: Record<string, unknown> = {}, status = 200): Promise<void> {
  res.status(status).type('html').send(await renderView(res, view, locals));
}

/** The page, or its fragment when the request is htmx's and targets it. */
export async function respond(req: Request, res: Response, view: PageView): Promise<void> {
  const locals = { title: view.title, ...view.locals };
  res.vary('HX-Request').vary('HX-Target');
  // `fragment` tells a partial whether it answers alone (it may then focus its heading, or update the page's status region out of band).
  if (view.fragment && wantsFragment(req, view.fragment.target)) return sendFragment(res, view.fragment.view, { ...locals, fragment: true }, view.status);
  return renderPage(res, view.page, { ...locals, fragment: false }, view.status);
}

/**
 * Runs a form's action. When the service refuses the input (a FormRefusal: invalid fields, 422, or
 * a conflict, 409), `showAgain` renders the form once more with what was typed and the reason,
 * under that status; nothing is saved. Other errors go to the error handler.
 */
export async function submitForm(action: () => Promise<void>, showAgain: (refusal: FormRefusal) => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof FormRefusal)) throw err;
    await showAgain(err);
  }
}

export function isHtmx(req: Request): boolean {
  return req.get('HX-Request') === 'true';
}

/**
 * An htmx request that targets one element (HX-Target, or exactly `target` when given) wants only
 * that fragment. Boosted navigations, history restores and whole-page loads (the page script's,
 * which target <body>, an element without an id) want the page.
 */
export function wantsFragment(req: Request, target?: string): boolean {
  const targeted = req.get('HX-Target');
  if (!isHtmx(req) || req.get('HX-Boosted') === 'true' || req.get('HX-History-Restore-Request') === 'true' || !targeted) return false;
  return target === undefined || targeted === target;
}
