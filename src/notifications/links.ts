// The session link in emails: /open/sessions/<occurrence>?u=<user>&e=<expiry>&s=<signature>.
// It carries no session token (emails are forwarded, logged and prefetched): it only names who it
// was sent to, signed with the LTI key, so the public page can remember "take this person to this
// session at their next launch" for that person only.
import { createHmac, timingSafeEqual } from 'node:crypto';

const LINK_DAYS_AFTER_SESSION = 14;
const DAY_MS = 86_400_000;

export interface LinkSettings {
  baseUrl: string;
  key: string;
  /** The From of emails ("TutorKit <no-reply@host>"): calendar files name it as ORGANIZER. */
  from: string;
}

export type LinkCheck = { ok: true; userId: string } | { ok: false; reason: 'invalid' | 'expired' };

/** The addresses emails and feeds carry, built for one server (its URL, its key, its sender). */
export interface Links {
  absoluteUrl(path: string): string;
  /** The link for one person and one occurrence; valid until two weeks after the session ends. */
  sessionLink(userId: string, occurrenceId: string, endsAt: Date): string;
  verifySessionLink(occurrenceId: string, query: Record<string, unknown>, now: Date): LinkCheck;
  /** The ORGANIZER of calendar invitations: the address emails come from. */
  calendarOrganizer(): { name: string; email: string };
}

export function createLinks(settings: LinkSettings): Links {
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  const sign = (userId: string, occurrenceId: string, expires: number) =>
    createHmac('sha256', settings.key).update(`tutorkit-session-link\n${userId}\n${occurrenceId}\n${expires}`).digest('base64url');
  const absoluteUrl = (path: string) => `${baseUrl}${path}`;
  return {
    absoluteUrl,
    sessionLink(userId, occurrenceId, endsAt) {
      const expires = Math.floor((endsAt.getTime() + LINK_DAYS_AFTER_SESSION * DAY_MS) / 1000);
      const params = new URLSearchParams({ u: userId, e: String(expires), s: sign(userId, occurrenceId, expires) });
      return absoluteUrl(`/open/sessions/${occurrenceId}?${params.toString()}`);
    },
    verifySessionLink(occurrenceId, query, now) {
      const userId = typeof query.u === 'string' ? query.u : '';
      const expires = typeof query.e === 'string' && /^\d{1,12}$/.test(query.e) ? Number(query.e) : NaN;
      // The signature's text is compared, not its decoded bytes: base64url ignores the last
      // character's spare bits, so decoding would accept several spellings of one signature.
      const given = Buffer.from(typeof query.s === 'string' ? query.s : '');
      if (!userId || Number.isNaN(expires)) return { ok: false, reason: 'invalid' };
      const expected = Buffer.from(sign(userId, occurrenceId, expires));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
      if (expires * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
      return { ok: true, userId };
    },
    calendarOrganizer() {
      const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(settings.from);
      return match ? { name: match[1]!.trim() || 'TutorKit', email: match[2]!.trim() } : { name: 'TutorKit', email: settings.from.trim() };
    },
  };
}
