// The development mailbox: the emails TutorKit would have sent, when no SMTP_URL is set. Mounted
// only outside production; like the demo LMS it has no sign-in, so it must never hold real mail.
import { Router } from 'express';
import { NotFoundError } from '../lib/errors.js';
import { renderPage } from '../lib/respond.js';
import { stampUtc } from '../lib/time.js';
import type { MailStore } from '../notifications/transport.js';

/** Enough for a newcomer's session; older files stay on disk. */
const SHOWN = 100;

export function mailboxRoutes(store: MailStore): Router {
  const router = Router();
  router.get('/dev/mailbox', async (_req, res) => {
    const messages = await Promise.all((await store.list()).slice(0, SHOWN).map(async ({ id, raw }) => ({ id, ...(await summarize(raw)) })));
    await renderPage(res, 'pages/dev/mailbox', { title: 'Development mailbox', messages });
  });
  router.get('/dev/mailbox/:id', async (req, res) => {
    const raw = await store.read(req.params.id);
    if (!raw) throw new NotFoundError('There is no message with that name in the development mailbox.');
    await renderPage(res, 'pages/dev/mailbox-message', { title: 'Development mailbox', id: req.params.id, message: await readMessage(raw) });
  });
  router.get('/dev/mailbox/:id/raw', async (req, res) => {
    const raw = await store.read(req.params.id);
    if (!raw) throw new NotFoundError('There is no message with that name in the development mailbox.');
    res.type('message/rfc822').attachment(`${req.params.id}.eml`).send(raw);
  });
  return router;
}

// mailparser is a development dependency: loaded on first use, never in production.
async function parse(raw: Buffer) {
  const { simpleParser } = await import('mailparser');
  return simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
}

async function summarize(raw: Buffer) {
  const mail = await parse(raw);
  return { date: stampUtc(mail.date), to: addresses(mail.to), subject: mail.subject ?? '(no subject)' };
}

async function readMessage(raw: Buffer) {
  const mail = await parse(raw);
  return {
    from: addresses(mail.from),
    to: addresses(mail.to),
    date: stampUtc(mail.date),
    subject: mail.subject ?? '(no subject)',
    messageId: mail.messageId ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    attachments: mail.attachments.map((a) => ({ filename: a.filename ?? 'unnamed', contentType: a.contentType, content: a.content.toString('utf8') })),
  };
}

type AddressField = { text: string } | { text: string }[] | undefined;

function addresses(field: AddressField): string {
  return [field ?? []].flat().map((a) => a.text).join(', ');
}
