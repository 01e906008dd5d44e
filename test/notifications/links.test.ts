// The session link in emails: signed for one person and one session, until two weeks after it ends.
import { expect } from 'chai';
import { createLinks } from '../../src/notifications/links.js';

const OCC = '33333333-3333-4333-8333-333333333333';
const USER = '44444444-4444-4444-8444-444444444444';
const ENDS = new Date('2027-03-16T21:00:00Z');

describe('Email session links', () => {
  const { sessionLink, verifySessionLink } = createLinks({ baseUrl: 'https://tutorkit.example.edu/', key: 'k'.repeat(40), from: 'TutorKit <no-reply@tutorkit.example.edu>' });

  const queryOf = (link: string) => Object.fromEntries(new URL(link).searchParams);

  it('When a link is checked as sent, then it names its person until two weeks after the session ends', () => {
    const link = sessionLink(USER, OCC, ENDS);
    expect(link).to.match(/^https:\/\/tutorkit\.example\.edu\/open\/sessions\/33333333-[^?]+\?u=44444444-/);
    expect(verifySessionLink(OCC, queryOf(link), new Date('2027-03-29T00:00:00Z'))).to.deep.equal({ ok: true, userId: USER });
    expect(verifySessionLink(OCC, queryOf(link), new Date('2027-03-31T00:00:00Z'))).to.deep.equal({ ok: false, reason: 'expired' });
  });

  it('When a link is changed (another person, another session, a later expiry, another key), then it is refused', () => {
    const query = queryOf(sessionLink(USER, OCC, ENDS));
    const now = new Date('2027-03-01T00:00:00Z');
    expect(verifySessionLink(OCC, { ...query, u: OCC }, now).ok).to.equal(false);
    expect(verifySessionLink(USER, query, now).ok).to.equal(false);
    expect(verifySessionLink(OCC, { ...query, e: String(Number(query.e) + 86_400) }, now).ok).to.equal(false);
    expect(verifySessionLink(OCC, { ...query, s: undefined }, now).ok).to.equal(false);
    // Every one-character change of the signature, including the last character, whose spare
    // bits base64url decoding would ignore.
    const s = String(query.s);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < s.length; i++) {
      const other = alphabet[(alphabet.indexOf(s[i]!) + 1) % 64]!;
      expect(verifySessionLink(OCC, { ...query, s: `${s.slice(0, i)}${other}${s.slice(i + 1)}` }, now).ok, `character ${i}`).to.equal(false);
    }
    const otherKey = createLinks({ baseUrl: 'https://tutorkit.example.edu', key: 'z'.repeat(40), from: 'x@example.edu' });
    expect(otherKey.verifySessionLink(OCC, query, now).ok).to.equal(false);
  });
});
