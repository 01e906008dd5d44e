// The routes an Express app answers, read from its router: (method, path) for every route, with
// the paths routers were mounted at (`app.use(router)` or `app.use('/x', router)`) in front.
// Reads Express 5 routers (router 2.x keeps each layer's path as `rawPath`) and the Express 4
// apps a library mounts inside them; a mount whose path it cannot read is an error, never a skip.

/** One route as "METHOD /path", e.g. "GET /c/:courseId/sessions". */
export type RouteKey = `${string} /${string}`;

interface Layer {
  name?: string;
  rawPath?: string | RegExp | (string | RegExp)[];
  /** Express 4: the layer's pattern, flagged when it is the catch-all "/". */
  regexp?: RegExp & { fast_slash?: boolean };
  route?: { path: string | RegExp | (string | RegExp)[]; methods: Record<string, boolean> };
  handle?: unknown;
}

interface Mountable {
  stack?: Layer[];
  _router?: { stack?: Layer[] };
}

/** Every route of the app, in the order the router tries them; `app` is an Express 5 application. */
export function listRoutes(app: { router: { stack: unknown[] } }): RouteKey[] {
  return walk(app.router.stack as Layer[], '');
}

function walk(stack: Layer[], prefix: string): RouteKey[] {
  const found: RouteKey[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
      for (const path of [layer.route.path].flat()) {
        for (const method of methods) found.push(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${join(prefix, path)}`);
      }
      continue;
    }
    const inner = stackOf(layer.handle);
    if (!inner) continue;
    for (const mount of mountPaths(layer)) found.push(...walk(inner, join(prefix, mount)));
  }
  return found;
}

/** The layers of a mounted router, or of a mounted Express 4 app (its `app.router` getter throws). */
function stackOf(handle: unknown): Layer[] | undefined {
  if (typeof handle !== 'function') return undefined;
  const mounted = handle as Mountable;
  return mounted.stack ?? mounted._router?.stack;
}

function mountPaths(layer: Layer): (string | RegExp)[] {
  if (layer.rawPath !== undefined) return [layer.rawPath].flat();
  if (layer.regexp?.fast_slash) return ['/'];
  throw new Error(`Cannot read the path the router "${layer.name ?? '?'}" is mounted at (${String(layer.regexp)}): its routes would go unlisted.`);
}

function join(prefix: string, path: string | RegExp): `/${string}` {
  const joined = `${prefix}/${typeof path === 'string' ? path : String(path)}`.replace(/\/{2,}/g, '/');
  return (joined.length > 1 ? joined.replace(/\/$/, '') : joined) as `/${string}`;
}
