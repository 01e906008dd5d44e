// Signs and checks requests from TutorKit's own commands (npm run register-platform) to the server
// that owns the embedded database. Both sides know LTI_KEY (the command reads the same env or
// DATA_DIR/lti-key); neither sends it. Each request carries an HMAC over its time, method, path and
// body, with a key derived from LTI_KEY for this purpose alone, so it can never pass as a session
// token or an ltijs key. The time bounds replay to a minute; the one command there is, registering
// a platform, gives the same result when repeated.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const COMMAND_HEADERS = { time: 'x-tutorkit-time', signature: 'x-tutorkit-signature' } as const;

/** Where the server takes each command (src/routes/internal.ts). */
export const COMMAND_PATHS = { registerPlatform: '/internal/platforms' } as const;

const MAX_SKEW_MS = 60_000;

export interface CommandRequest {
  method: string;
  /** Path without query, as the server sees it (/internal/platforms). */
  path: string;
  body: string;
}

export type CommandCheck = 'ok' | 'missing' | 'expired' | 'mismatch';

export class CommandSigner {
  private readonly key: Buffer;

  constructor(ltiKey: string) {
    this.key = Buffer.from(hkdfSync('sha256', ltiKey, 'tutorkit', 'local-command', 32));
  }

  /** The headers that authenticate `request` at `now`. */
  sign(request: CommandRequest, now: Date): Record<string, string> {
    const time = String(now.getTime());
    return { [COMMAND_HEADERS.time]: time, [COMMAND_HEADERS.signature]: this.mac(time, request) };
  }

  check(request: CommandRequest, headers: { time?: string; signature?: string }, now: Date): CommandCheck {
    const { time, signature } = headers;
    if (!time || !signature) return 'missing';
    if (!/^\d{1,15}$/.test(time) || Math.abs(now.getTime() - Number(time)) > MAX_SKEW_MS) return 'expired';
    const expected = Buffer.from(this.mac(time, request), 'hex');
    const given = Buffer.from(signature, 'hex');
    // timingSafeEqual needs equal lengths; the length of a hex MAC is no secret.
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'mismatch';
  }

  private mac(time: string, request: CommandRequest): string {
    return createHmac('sha256', this.key).update(`${time}\n${request.method.toUpperCase()}\n${request.path}\n${request.body}`).digest('hex');
  }
}
