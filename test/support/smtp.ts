// A real SMTP server on loopback for the email tests: it parses what it receives (mailparser)
// and can refuse the next messages with given reply codes.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback; `refuse` holds the reply codes for the next messages (then it accepts). */
export async function startSmtp() {
  const received: ParsedMail[] = [];
  const refuse: { code: number; text: string }[] = [];
  const slow = { ms: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = refuse.shift();
        if (refusal) return done(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
        const accept = () => simpleParser(Buffer.concat(chunks)).then((mail) => (received.push(mail), done()), done);
        setTimeout(accept, slow.ms);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { received, refuse, slow, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

