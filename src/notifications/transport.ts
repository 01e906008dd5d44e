// How a message leaves TutorKit: SMTP in production (SMTP_URL), otherwise a folder of .eml files
// a newcomer can open on the dev mailbox page, or a list in memory (tests with dataDir 'memory').
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface MailToSend {
  /** The outbox id: the Message-ID and the .eml file name are built from it. */
  id: string;
  createdAt: Date;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  ics?: string | null;
}

export interface Transport {
  send(msg: MailToSend): Promise<{ messageId?: string }>;
  close?(): void;
}

/** Raw messages kept by the file and memory transports, for the dev mailbox page. */
export interface MailStore {
  list(): Promise<{ id: string; raw: Buffer }[]>;
  read(id: string): Promise<Buffer | null>;
}

/** A delivery that did not happen. Temporary ones are retried with backoff; permanent ones are not. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly temporary: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Recognisable in any mailbox: two copies of one outbox message carry the same Message-ID. */
export function messageIdFor(id: string): string {
  return `<${id}@tutorkit>`;
}

function toNodemailer(msg: MailToSend): Mail.Options {
  const method = msg.ics?.match(/^METHOD:(\w+)/m)?.[1]?.toUpperCase() ?? 'PUBLISH';
  return {
    from: msg.from,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    date: msg.createdAt,
    messageId: messageIdFor(msg.id),
    attachments: msg.ics ? [{ filename: 'invite.ics', content: msg.ics, contentType: `text/calendar; charset=utf-8; method=${method}` }] : [],
  };
}

export function createSmtpTransport(smtpUrl: string): Transport {
  // A pooled connection is reused for the messages of a tick instead of one handshake each.
  const transporter = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 2, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    send: async (msg) => {
      try {
        const info = await transporter.sendMail(toNodemailer(msg));
        return { messageId: info.messageId };
      } catch (err) {
        throw classifySmtpError(err as SmtpFailure);
      }
    },
    close: () => transporter.close(),
  };
}

type SmtpFailure = Error & { code?: string; responseCode?: number; response?: string };

/**
 * 4xx replies and lost connections are temporary. 5xx replies are permanent, except a refused
 * login: that is our configuration, and retrying lets mail flow once an operator fixes it.
 */
export function classifySmtpError(err: SmtpFailure): DeliveryError {
  const reason = (err.response ?? err.message).slice(0, 500);
  if (err.code === 'EAUTH') return new DeliveryError(reason, true);
  if (err.responseCode) return new DeliveryError(reason, err.responseCode < 500);
  // No reply at all: an address nodemailer refused before talking to the server is permanent.
  return new DeliveryError(reason, err.code !== 'EENVELOPE');
}

/** Builds the RFC 822 bytes without sending them anywhere. */
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

async function compose(msg: MailToSend): Promise<Buffer> {
  const info = await composer.sendMail(toNodemailer(msg));
  return info.message as Buffer;
}

/** A name that sorts by creation time and is the same for every attempt at one message. */
export function emlName(msg: Pick<MailToSend, 'id' | 'createdAt'>): string {
  return `${msg.createdAt.toISOString().replace(/[-:.]/g, '')}-${msg.id}`;
}

const EML_NAME = /^\d{8}T\d{9}Z-[0-9a-f-]{36}$/;

/** Writes `${dir}/${createdAt}-${id}.eml`; a second attempt replaces the file rather than adding one. */
export function createFileTransport(dir: string): Transport & MailStore {
  const file = (name: string) => path.join(dir, `${name}.eml`);
  return {
    send: async (msg) => {
      await mkdir(dir, { recursive: true });
      const target = file(emlName(msg));
      // Written aside then renamed: the mailbox page never sees half a message.
      const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, await compose(msg));
      await rename(temp, target);
      return { messageId: messageIdFor(msg.id) };
    },
    list: async () => {
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.eml')).map((n) => n.slice(0, -4));
      const valid = names.filter((n) => EML_NAME.test(n)).sort().reverse();
      return Promise.all(valid.map(async (id) => ({ id, raw: await readFile(file(id)) })));
    },
    read: async (id) => (EML_NAME.test(id) ? readFile(file(id)).catch(() => null) : null),
  };
}

/** Keeps messages in memory (tests); the same id replaces its earlier copy. */
export function createMemoryTransport(): Transport & MailStore & { sent: Map<string, Buffer> } {
  const sent = new Map<string, Buffer>();
  return {
    sent,
    send: async (msg) => {
      sent.set(emlName(msg), await compose(msg));
      return { messageId: messageIdFor(msg.id) };
    },
    list: async () => [...sent.entries()].sort(([a], [b]) => b.localeCompare(a)).map(([id, raw]) => ({ id, raw })),
    read: async (id) => sent.get(id) ?? null,
  };
}

/** SMTP when configured; otherwise development mail in `${dataDir}/mail` (or memory). */
export function createTransport(config: { smtpUrl: string | undefined; dataDir: string }): { transport: Transport; store: MailStore | null } {
  if (config.smtpUrl) return { transport: createSmtpTransport(config.smtpUrl), store: null };
  const local = config.dataDir === 'memory' ? createMemoryTransport() : createFileTransport(path.join(config.dataDir, 'mail'));
  return { transport: local, store: local };
}
