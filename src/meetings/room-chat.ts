// The room's chat: what a message may be, and how fast one person may send them.
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { parseCommand, textField } from '../lib/forms.js';

export const CHAT_MAX_CHARACTERS = 2000;

const ChatMessage = z.object({
  message: textField('Message', { max: CHAT_MAX_CHARACTERS, required: 'Write a message before sending it.', multiline: true }),
});

/** The message of a chat form, or a ValidationError (422) naming the field. */
export function readChatMessage(input: unknown): string {
  return parseCommand(ChatMessage, input).message;
}

/** Messages one person may send in one window. */
export const CHAT_BURST = 5;
export const CHAT_WINDOW_MS = 5000;

export class ChatTooFastError extends AppError {
  readonly retryAfterSeconds = Math.ceil(CHAT_WINDOW_MS / 1000);
  constructor() {
    super(429, {
      title: 'Please slow down',
      message: `You can send ${CHAT_BURST} messages every ${CHAT_WINDOW_MS / 1000} seconds. This message was not sent.`,
      next: 'Wait a few seconds, then send it again.',
    });
  }
}

/**
 * The times of each person's latest messages, in this instance: a person spread over several
 * instances could send a few more, which is fine for a bound against floods. Checked before the
 * database is asked anything.
 */
export class ChatPace {
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Whether the person may send now (without counting it). */
  allows(personId: string): boolean {
    return this.recent(personId, this.clock.now().getTime()).length < CHAT_BURST;
  }

  /** Counts a message; false (nothing counted) when the person sent too many just now. */
  take(personId: string): boolean {
    const now = this.clock.now().getTime();
    const recent = this.recent(personId, now);
    if (recent.length >= CHAT_BURST) return false;
    recent.push(now);
    if (this.sent.size > 10_000) this.forgetQuiet(now);
    this.sent.set(personId, recent);
    return true;
  }

  private recent(personId: string, now: number): number[] {
    return (this.sent.get(personId) ?? []).filter((at) => at > now - CHAT_WINDOW_MS);
  }

  private forgetQuiet(now: number): void {
    for (const [person, times] of this.sent) if (!times.some((at) => at > now - CHAT_WINDOW_MS)) this.sent.delete(person);
  }
}
