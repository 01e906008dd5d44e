import { pino, type Logger } from 'pino';

/** Paths that may hold a credential; pino replaces them before anything is written. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["hx-current-url"]',
  'res.headers["set-cookie"]',
  'res.headers["hx-redirect"]',
  'res.headers.location',
  'req.body.id_token',
  'token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/**
 * Drops the query string, where a launch token or an email link's signature may travel, and the
 * secret of a calendar feed URL (/feed/<secret>.ics).
 */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  return path.startsWith('/feed/') ? '/feed/[secret].ics' : path;
}
