// Requests as the page's htmx sends them after a launch. The token lives in the page and travels
// in the Authorization header (public/js/app.js); htmx adds HX-Request, and HX-Target when the
// element it swaps has an id. Redirects are not followed: tests look at the 303 itself.
import type { TestApp } from './app.js';

/** Form fields; an array is the same key repeated, as several ticked boxes or rows send it. */
export type Form = Record<string, string | string[]>;

export interface HtmxRequest {
  /** GET unless given. */
  method?: string;
  /** The id of the element the answer replaces: the request wants that fragment, not the page. */
  target?: string;
  /** Urlencoded in the body; for GET and DELETE in the query string, where htmx 2 puts them. */
  fields?: Form;
  /** More headers (HX-Boosted, HX-History-Restore-Request, Origin, ...). */
  headers?: Record<string, string>;
  /** Without the htmx headers: the token alone, to see what a request not made by htmx gets. */
  direct?: boolean;
}

/** Sends one request as `who` (the holder of a launch token; null for nobody signed in). */
export function htmx(app: Pick<TestApp, 'baseUrl'>, who: { token: string } | null, path: string, request: HtmxRequest = {}): Promise<Response> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = new URL(path, app.baseUrl);
  const fields = formBody(request.fields ?? {});
  const inQuery = method === 'GET' || method === 'DELETE';
  if (inQuery) for (const [name, value] of fields) url.searchParams.append(name, value);
  const headers: Record<string, string> = {};
  if (who) headers.Authorization = `Bearer ${who.token}`;
  if (!request.direct) headers['HX-Request'] = 'true';
  if (request.target) headers['HX-Target'] = request.target;
  return fetch(url, { method, headers: { ...headers, ...request.headers }, body: inQuery ? undefined : fields, redirect: 'manual' });
}

export function formBody(fields: Form): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one);
  return body;
}
