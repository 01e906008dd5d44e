// Page rendering: a page view rendered inside the layout, or alone for an htmx request that
// targets a fragment. One helper so every handler renders the same way.
import type { Request, Response } from 'express';
import type { Viewer } from '../courses/service.js';

export interface PageLocals {
  title: string;
  viewer?: Viewer | null;
  [key: string]: unknown;
}

function renderView(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    res.app.render(view, { ...res.locals, ...locals }, (err, html) => (err ? reject(err) : resolve(html)));
  });
}

export async function renderPage(res: Response, view: string, locals: PageLocals, status = 200): Promise<void> {
  const body = await renderView(res, view, locals);
  const html = await renderView(res, 'layouts/main', { ...locals, body });
  res.status(status).type('html').send(html);
}

export function isHtmx(req: Request): boolean {
  return req.get('HX-Request') === 'true';
}

/**
 * An htmx request that targets one element (HX-Target) wants only that fragment. Boosted
 * navigations, history restores and whole-page loads (the page script's, which target <body>,
 * an element without an id) want the page.
 */
export function wantsFragment(req: Request): boolean {
  return isHtmx(req) && req.get('HX-Boosted') !== 'true' && req.get('HX-History-Restore-Request') !== 'true' && !!req.get('HX-Target');
}

export { renderView };
