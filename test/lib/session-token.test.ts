// The bearer token a person carries after a launch, on a frozen clock.
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { fixedClock } from '../../src/lib/clock.js';
import { LaunchTokens, type LaunchSession } from '../../src/lib/session-token.js';

const KEY = 'session-test-key-0123456789abcdef01234567';
const LAUNCH = '2025-03-10T09:30:00.000Z'; // 9:30 AM UTC on a Monday
const at = (iso: string) => new Date(iso);
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000);

const person = { userId: 'user-1', courseId: 'course-1', role: 'tutor' as const, isAdmin: false };

describe('LaunchTokens', () => {
  it('When a token is issued and verified, then the same person, course, role and times come back', async () => {
    const clock = fixedClock(LAUNCH);
    const tokens = new LaunchTokens(KEY, 120, clock);
    const session = await tokens.verify(await tokens.issue({ ...person, isAdmin: true }));
    expect(session).to.deep.equal({
      userId: 'user-1',
      courseId: 'course-1',
      role: 'tutor',
      isAdmin: true,
      launchedAt: at(LAUNCH),
      expiresAt: plus(LAUNCH, 120),
    });
  });

  it('When the token is read, then it names one course and carries no LTI data', async () => {
    const tokens = new LaunchTokens(KEY, 120, fixedClock(LAUNCH));
    const claims = decodeJwt(await tokens.issue(person));
    expect(Object.keys(claims).sort()).to.deep.equal(['adm', 'cid', 'exp', 'iat', 'iss', 'lat', 'role', 'sub']);
    expect(claims).to.include({ iss: 'tutorkit', sub: 'user-1', cid: 'course-1', role: 'tutor' });
  });

  it('When the lifetime has passed, then the token is refused; a second before, it is accepted', async () => {
    const clock = fixedClock(LAUNCH);
    const tokens = new LaunchTokens(KEY, 30, clock);
    const token = await tokens.issue(person);

    clock.set(plus(LAUNCH, 30 - 1 / 60));
    expect(await tokens.verify(token)).to.include({ userId: 'user-1' });
    clock.set(plus(LAUNCH, 30));
    expect(await tokens.verify(token)).to.equal(null);
    clock.set(plus(LAUNCH, 31));
    expect(await tokens.verify(token)).to.equal(null);
  });

  it('When a token was signed with another key, then it is refused', async () => {
    const clock = fixedClock(LAUNCH);
    const other = new LaunchTokens('another-key-0123456789abcdef0123456789ab', 120, clock);
    const tokens = new LaunchTokens(KEY, 120, clock);
    expect(await tokens.verify(await other.issue(person))).to.equal(null);
  });

  it('When the payload of a token is altered (a student making themselves instructor), then it is refused', async () => {
    const tokens = new LaunchTokens(KEY, 120, fixedClock(LAUNCH));
    const token = await tokens.issue({ ...person, role: 'student' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'instructor', cid: 'course-2' })).toString('base64url');
    expect(await tokens.verify(`${header}.${forged}.${signature}`)).to.equal(null);
  });

  it('When the token is missing, garbage or unsigned, then it is refused', async () => {
    const tokens = new LaunchTokens(KEY, 120, fixedClock(LAUNCH));
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
      Buffer.from(JSON.stringify({ iss: 'tutorkit', sub: 'user-1', cid: 'course-1', role: 'admin', exp: 9_999_999_999 })).toString('base64url'),
      '',
    ].join('.');
    for (const token of [undefined, '', 'not-a-jwt', unsigned]) {
      expect(await tokens.verify(token)).to.equal(null);
    }
  });

  describe('refreshIfDue', () => {
    it('When less than half the lifetime has passed, then no new token is issued', async () => {
      const clock = fixedClock(LAUNCH);
      const tokens = new LaunchTokens(KEY, 60, clock);
      const session = (await tokens.verify(await tokens.issue(person)))!;
      clock.set(plus(LAUNCH, 29));
      expect(await tokens.refreshIfDue(session)).to.equal(null);
    });

    it('When half the lifetime has passed, then a new token expires a full lifetime from now and keeps the launch time', async () => {
      const clock = fixedClock(LAUNCH);
      const tokens = new LaunchTokens(KEY, 60, clock);
      const session = (await tokens.verify(await tokens.issue(person)))!;
      clock.set(plus(LAUNCH, 31));
      const fresh = await tokens.refreshIfDue(session);
      expect(fresh).to.be.a('string');
      const next = await tokens.verify(fresh!);
      expect(next).to.deep.equal({ ...session, expiresAt: plus(LAUNCH, 91), launchedAt: at(LAUNCH) });
    });

    it('When a person stays active all day, then refreshes stop 12 hours after the launch and the session ends there', async () => {
      const clock = fixedClock(LAUNCH);
      const tokens = new LaunchTokens(KEY, 60, clock);
      let token = await tokens.issue(person);
      let latest = (await tokens.verify(token))!;
      const cap = plus(LAUNCH, 12 * 60);
      // Every 10 minutes for 13 hours the person clicks something; the app refreshes when due.
      for (let minute = 10; minute <= 13 * 60; minute += 10) {
        clock.set(plus(LAUNCH, minute));
        const session = await tokens.verify(token);
        if (!session) break;
        const fresh = await tokens.refreshIfDue(session);
        if (fresh) {
          token = fresh;
          latest = (await tokens.verify(token))!;
          expect(latest.expiresAt.getTime()).to.be.at.most(cap.getTime());
          expect(latest.launchedAt).to.deep.equal(at(LAUNCH));
        }
      }
      expect(latest.expiresAt).to.deep.equal(cap);
      clock.set(cap);
      expect(await tokens.verify(token)).to.equal(null);
    });

    it('When the session is already at the 12-hour cap, then refreshIfDue returns null', async () => {
      const clock = fixedClock(plus(LAUNCH, 11 * 60 + 40));
      const tokens = new LaunchTokens(KEY, 60, clock);
      const session: LaunchSession = (await tokens.verify(await tokens.issue({ ...person, launchedAt: at(LAUNCH) })))!;
      expect(session.expiresAt).to.deep.equal(plus(LAUNCH, 12 * 60));
      clock.set(plus(LAUNCH, 11 * 60 + 50));
      expect(await tokens.refreshIfDue(session)).to.equal(null);
    });
  });
});
