// Bounds on expensive work (conflict checks, the Scheduling assistant, saves that run them), so one
// person sending them as fast as they can never starves the server for everyone else. Each person
// gets a few at a time, and a short queue absorbs a burst from a form that changes quickly; past
// that, 429 with Retry-After. Across people, a fixed number run at once and the rest wait their turn.
import type { RequestHandler } from 'express';
import { AppError } from './errors.js';

export interface WorkLimits {
  /** Expensive requests of one person running at once. */
  perPerson: number;
  /** More of one person's requests waiting their turn before the next is refused. */
  queuePerPerson: number;
  /** Expensive requests of everyone running at once (one process). */
  overall: number;
}

export const DEFAULT_WORK_LIMITS: WorkLimits = { perPerson: 1, queuePerPerson: 2, overall: 4 };

/** Seconds a refused person is asked to wait: about one check's worth. */
const RETRY_AFTER_SECONDS = 2;
/**
 * A refusal is answered after this pause. A script that retries at once would otherwise make
 * the server answer hundreds of refusals a second; a held socket costs next to nothing.
 */
export const REFUSAL_DELAY_MS = 1000;

export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;
  constructor() {
    super(429, {
      title: 'Please wait a moment',
      message: 'You already have several availability checks or saves running. TutorKit works through each person’s requests a few at a time, so that everyone’s pages stay quick. Nothing was saved from this request.',
      next: `Try again in ${RETRY_AFTER_SECONDS} seconds.`,
    });
  }
}

// One instance answers every refusal: a flood of them should cost as little as possible.
const TOO_MANY = new TooManyRequestsError();

/** A counting semaphore with a wait queue. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  get busy(): number {
    return this.running;
  }

  acquire(): Promise<void> {
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

export class WorkLimiter {
  private readonly people = new Map<string, Slots>();
  private readonly everyone: Slots;

  constructor(
    private readonly limits: WorkLimits = DEFAULT_WORK_LIMITS,
    /** Told of each refusal (the app logs the first one per person and minute). */
    private readonly onRefused: (personId: string) => void = () => undefined,
    private readonly refusalDelayMs = REFUSAL_DELAY_MS,
  ) {
    this.everyone = new Slots(limits.overall);
  }

  /** Runs `work` when this person and the server have room; throws TooManyRequestsError when the person's queue is full. */
  async run<T>(personId: string, work: () => Promise<T>): Promise<T> {
    const release = await this.enter(personId);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Waits for a turn and returns the function that ends it. */
  async enter(personId: string): Promise<() => void> {
    let mine = this.people.get(personId);
    if (!mine) {
      mine = new Slots(this.limits.perPerson);
      this.people.set(personId, mine);
    }
    if (mine.busy >= this.limits.perPerson && mine.queued >= this.limits.queuePerPerson) {
      this.onRefused(personId);
      throw TOO_MANY;
    }
    await mine.acquire();
    await this.everyone.acquire();
    const slots = mine;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.everyone.release();
      slots.release();
      if (slots.busy === 0 && slots.queued === 0) this.people.delete(personId);
    };
  }

  /**
   * Express middleware: the rest of the request runs in the person's turn, which ends when the
   * response is finished or the client goes away. `personOf` reads who is asking.
   */
  middleware(personOf: (res: Parameters<RequestHandler>[1]) => string | undefined): RequestHandler {
    return (_req, res, next) => {
      const person = personOf(res);
      if (!person) return next();
      let gone = false;
      res.once('close', () => (gone = true));
      this.enter(person).then(
        (release) => {
          // A person who left while waiting gets nothing computed for them.
          if (gone) return release();
          res.once('close', release);
          next();
        },
        (refusal: unknown) => {
          const pause = setTimeout(() => (gone ? undefined : next(refusal)), this.refusalDelayMs);
          res.once('close', () => clearTimeout(pause));
        },
      );
    };
  }
}
