// A minimal stand-in for the browser that carries an LTI launch between the
// platform and the tool: it never follows redirects (tests want to see each
// hop) and it remembers cookies, because the tool's state cookie set at login
// has to come back with the launch POST.

interface ParsedSetCookie {
  name: string;
  value: string;
  expired: boolean;
}

export class CookieJar {
  // Keyed by hostname only: browsers do not isolate cookies by port, and the
  // simulator and the tool share 127.0.0.1 on different ports.
  readonly #cookiesByHost = new Map<string, Map<string, string>>();

  storeResponseCookies(url: string | URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) this.storeSetCookie(url, line);
  }

  storeSetCookie(url: string | URL, setCookieLine: string): void {
    const cookie = parseSetCookie(setCookieLine);
    if (!cookie) return;
    const cookies = this.#getHostCookies(new URL(url).hostname);
    if (cookie.expired) cookies.delete(cookie.name);
    else cookies.set(cookie.name, cookie.value);
  }

  getCookie(url: string | URL, name: string): string | undefined {
    return this.#cookiesByHost.get(new URL(url).hostname)?.get(name);
  }

  listCookieNames(url: string | URL): string[] {
    return [...(this.#cookiesByHost.get(new URL(url).hostname)?.keys() ?? [])];
  }

  // Secure cookies are sent over plain http on purpose: tests run on loopback,
  // which browsers treat as a secure context.
  getCookieHeader(url: string | URL): string | undefined {
    const cookies = this.#cookiesByHost.get(new URL(url).hostname);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  clear(): void {
    this.#cookiesByHost.clear();
  }

  #getHostCookies(host: string): Map<string, string> {
    let cookies = this.#cookiesByHost.get(host);
    if (!cookies) {
      cookies = new Map();
      this.#cookiesByHost.set(host, cookies);
    }
    return cookies;
  }
}

function parseSetCookie(line: string): ParsedSetCookie | null {
  const [pair = '', ...attributes] = line.split(';');
  const separator = pair.indexOf('=');
  // RFC 6265 says to ignore a set-cookie-string without a name-value pair.
  if (separator < 1) return null;
  const name = pair.slice(0, separator).trim();
  const value = pair.slice(separator + 1).trim();
  return { name, value, expired: isExpired(attributes) };
}

function isExpired(attributes: string[]): boolean {
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'max-age') maxAge = Number.parseInt(value, 10);
    if (key === 'expires') expires = Date.parse(value);
  }
  // Max-Age wins over Expires when both are present (RFC 6265 section 5.3).
  if (maxAge !== undefined && !Number.isNaN(maxAge)) return maxAge <= 0;
  return expires !== undefined && !Number.isNaN(expires) && expires <= Date.now();
}

export interface JarRequestOptions {
  jar?: CookieJar;
  // false sends the request without the jar's cookies but still records
  // whatever the response sets; used to simulate a browser that blocked them.
  sendCookies?: boolean;
  headers?: Record<string, string>;
}

export async function fetchWithJar(
  url: string | URL,
  init: RequestInit,
  options: JarRequestOptions = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const cookieHeader = options.sendCookies === false ? undefined : options.jar?.getCookieHeader(url);
  if (cookieHeader) headers.set('cookie', cookieHeader);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  options.jar?.storeResponseCookies(url, response.headers);
  return response;
}

export function postForm(
  url: string | URL,
  fields: Record<string, string>,
  options: JarRequestOptions = {},
): Promise<Response> {
  return fetchWithJar(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    },
    options,
  );
}

export function getPage(url: string | URL, options: JarRequestOptions = {}): Promise<Response> {
  return fetchWithJar(url, { method: 'GET' }, options);
}
