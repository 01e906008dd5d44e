// The words of every email: subject, plain text and HTML for one recipient. Pure. Times are in the
// recipient's zone (their settings), or the session's zone until they have one. The plain text
// reads on its own; the HTML says the same, escaped.
import { formatRange } from '../lib/time.js';
import { viewHelpers } from '../lib/view-helpers.js';
import type { MessageKind } from './outbox.js';

export interface SessionFacts {
  name: string;
  description: string;
  community: string;
  /** The session's own zone (the scheduler's). */
  zone: string;
  durationMinutes: number;
  repeatSummary: string;
  tutors: string[];
  meetingUrl: string | null;
}

export interface Letter {
  kind: MessageKind;
  recipient: { name: string; timeZone: string | null };
  session: SessionFacts;
  /** The occurrence the message is about (a series: its next session). */
  start: Date;
  end: Date;
  /** The signed link to the session page. */
  link: string;
  /** What happened, for updates and cancellations, e.g. "Only the session on Tue 16 Mar 2027 changed." */
  change?: string;
  /** Reminders: how long until the session starts. */
  leadMinutes?: number;
  /** Invitations: who scheduled it. */
  scheduler?: string;
  /** Invitations: the recipient scheduled it themselves. */
  scheduledByRecipient?: boolean;
}

export interface Composed {
  subject: string;
  text: string;
  html: string;
}

export function compose(letter: Letter): Composed {
  const subject = subjectOf(letter);
  const intro = introOf(letter);
  const facts = factsOf(letter);
  const link = letter.kind === 'cancellation' ? 'See the session in TutorKit' : 'Open the session in TutorKit';
  const howToOpen = 'If you are not signed in, TutorKit asks you to open it from your course in your LMS, then takes you to this session.';
  const footer =
    letter.kind === 'reminder'
      ? 'You get reminders 24 hours and 15 minutes before your sessions. To stop them, turn off “Email reminders before my sessions” in Edit settings in TutorKit.'
      : letter.kind === 'cancellation'
        ? 'The attached calendar file removes it from your calendar.'
        : 'The attached calendar file adds it to your calendar, or updates it there.';
  const text = [
    `Hello ${letter.recipient.name},`,
    '',
    ...intro,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(letter.session.description ? ['', 'Description:', letter.session.description] : []),
    '',
    `${link}: ${letter.link}`,
    howToOpen,
    '',
    footer,
    '',
    '— TutorKit',
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    `<p>Hello ${esc(letter.recipient.name)},</p>`,
    ...intro.map((line) => `<p>${esc(line)}</p>`),
    '<table role="presentation" style="border-collapse:collapse">',
    ...facts.map(([label, value]) => `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;vertical-align:top">${esc(label)}</th><td>${label === 'Meeting link' ? linkHtml(value) : esc(value)}</td></tr>`),
    '</table>',
    ...(letter.session.description ? ['<h2 style="font-size:1em">Description</h2>', `<p style="white-space:pre-wrap">${esc(letter.session.description)}</p>`] : []),
    `<p><a href="${esc(letter.link)}">${esc(link)}</a></p>`,
    `<p style="color:#555">${esc(howToOpen)}</p>`,
    `<p style="color:#555">${esc(footer)}</p>`,
    '<p>— TutorKit</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

function subjectOf({ kind, session, leadMinutes }: Letter): string {
  switch (kind) {
    case 'invitation':
      return `You're invited: ${session.name}`;
    case 'update':
      return `Updated: ${session.name}`;
    case 'cancellation':
      return `Cancelled: ${session.name}`;
    case 'reminder':
      return `Reminder: ${session.name} starts in ${describeLead(leadMinutes ?? 0)}`;
  }
}

function introOf(letter: Letter): string[] {
  const { kind, session } = letter;
  const community = session.community ? ` in ${session.community}` : '';
  switch (kind) {
    case 'invitation':
      if (letter.scheduledByRecipient) return [`You scheduled the tutoring session “${session.name}”${community}, and you are one of its tutors.`];
      return [`${letter.scheduler ? `${letter.scheduler} invited you` : 'You are invited'} to the tutoring session “${session.name}”${community}.`];
    case 'update':
      return [`The tutoring session “${session.name}”${community} has changed.`, ...(letter.change ? [letter.change] : []), 'Here are the details now.'];
    case 'cancellation':
      return [letter.change ?? `The tutoring session “${session.name}”${community} was cancelled.`];
    case 'reminder':
      return [`Your tutoring session “${session.name}”${community} starts in ${describeLead(letter.leadMinutes ?? 0)}.`];
  }
}

function factsOf(letter: Letter): [string, string][] {
  const s = letter.session;
  const zone = letter.recipient.timeZone ?? s.zone;
  const facts: [string, string][] = [
    [letter.kind === 'reminder' || s.repeatSummary === 'Does not repeat' ? 'When' : 'Next session', formatRange(letter.start, letter.end, zone)],
    ['Session length', viewHelpers.duration(s.durationMinutes)],
    ['Repeat', s.repeatSummary],
    ['Tutors', s.tutors.length ? s.tutors.join(', ') : 'None yet'],
  ];
  if (s.meetingUrl) facts.push(['Meeting link', s.meetingUrl]);
  return facts;
}

/** "15 minutes", "1 hour", "24 hours". */
export function describeLead(minutes: number): string {
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function linkHtml(url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${esc(url)}">${esc(url)}</a>` : esc(url);
}

export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
