// The short-lived bearer token a person carries after an LTI launch. It replaces cookies, which
// LMS iframes often block, and it names exactly one course: a launch from course A gives no
// access to course B.
import { hkdfSync } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from './clock.js';

export type Role = 'admin' | 'instructor' | 'tutor' | 'student';

/** The person a launch token stands for: who, in which course, as what, until when. */
export interface LaunchSession {
  userId: string;
  courseId: string;
  role: Role;
  isAdmin: boolean;
  /** When the LTI launch happened; refreshes never extend a session past MAX_SESSION_HOURS from here. */
  launchedAt: Date;
  expiresAt: Date;
}

const MAX_SESSION_HOURS = 12;
const ISSUER = 'tutorkit';

/** Verified tokens kept in memory: every request carries one, and most carry one seen moments ago. */
const VERIFIED_KEPT = 20_000;

export class LaunchTokens {
  private readonly secret: Uint8Array;
  private readonly verified = new Map<string, LaunchSession>();

  constructor(
    ltiKey: string,
    private readonly minutes: number,
    private readonly clock: Clock,
  ) {
    // A key of its own, derived from LTI_KEY, so a session token can never pass as an ltijs ltik.
    this.secret = new Uint8Array(hkdfSync('sha256', ltiKey, 'tutorkit', 'session-token', 32));
  }

  async issue(session: Omit<LaunchSession, 'expiresAt' | 'launchedAt'> & { launchedAt?: Date }): Promise<string> {
    const now = this.clock.now();
    const launchedAt = session.launchedAt ?? now;
    const cap = launchedAt.getTime() + MAX_SESSION_HOURS * 3600_000;
    const exp = Math.min(now.getTime() + this.minutes * 60_000, cap);
    return new SignJWT({ cid: session.courseId, role: session.role, adm: session.isAdmin, lat: Math.floor(launchedAt.getTime() / 1000) })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(session.userId)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(exp / 1000))
      .sign(this.secret);
  }

  /** Returns the session, or null when the token is missing, forged or expired. */
  async verify(token: string | undefined): Promise<LaunchSession | null> {
    if (!token) return null;
    // A token verified before is the same signed text: only its expiry needs checking again.
    const known = this.verified.get(token);
    if (known) return known.expiresAt.getTime() > this.clock.now().getTime() ? { ...known } : null;
    const session = await this.verifySignature(token);
    if (session) {
      if (this.verified.size >= VERIFIED_KEPT) this.verified.clear();
      this.verified.set(token, session);
    }
    return session ? { ...session } : null;
  }

  private async verifySignature(token: string): Promise<LaunchSession | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: this.clock.now(),
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || typeof payload.cid !== 'string' || !isRole(role)) return null;
      return {
        userId: payload.sub,
        courseId: payload.cid,
        role,
        isAdmin: payload.adm === true,
        launchedAt: new Date(Number(payload.lat) * 1000),
        expiresAt: new Date(Number(payload.exp) * 1000),
      };
    } catch {
      return null;
    }
  }

  /** A fresh token once half the lifetime has passed, so an active person is not cut off. */
  async refreshIfDue(session: LaunchSession): Promise<string | null> {
    const remaining = session.expiresAt.getTime() - this.clock.now().getTime();
    if (remaining > (this.minutes * 60_000) / 2) return null;
    const next = await this.issue(session);
    const nextSession = await this.verify(next);
    return nextSession && nextSession.expiresAt > session.expiresAt ? next : null;
  }
}

function isRole(value: unknown): value is Role {
  return value === 'admin' || value === 'instructor' || value === 'tutor' || value === 'student';
}
