// Availability as real time: local hours in the person's zone, across DST changes, with date
// exceptions. A tutor in Berlin and a student in Los Angeles; Europe leaves summer time on
// 25 Oct 2026 and the US on 1 Nov 2026, so the week between has an 8-hour gap instead of 9.
import { expect } from 'chai';
import { availableSpans, merge, uncovered, type AvailabilityRules } from '../../src/availability/intervals.js';
import { isAvailable } from '../../src/availability/conflicts.js';

const at = (iso: string) => Date.parse(iso);
const span = (from: string, to: string) => ({ start: at(from), end: at(to) });
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));

const berlinTutor: AvailabilityRules = {
  zone: 'Europe/Berlin',
  weekly: weekdays('09:00', '17:00'),
  exceptions: [
    { date: '2026-10-28', kind: 'day_off', start: null, end: null },
    { date: '2026-10-31', kind: 'extra_hours', start: '10:00', end: '12:00' },
  ],
};
const laStudent: AvailabilityRules = {
  zone: 'America/Los_Angeles',
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '15:00', end: '20:00' })),
  exceptions: [],
};

describe('Availability in real time', () => {
  it('When Berlin leaves summer time, then the same UTC hour moves from outside to inside the tutor’s 09:00–17:00', () => {
    // Fri 23 Oct: 15:00Z is 17:00 CEST, after the tutor's day; Mon 26 Oct: 15:00Z is 16:00 CET.
    expect(isAvailable(berlinTutor, span('2026-10-23T15:00Z', '2026-10-23T16:00Z'))).to.equal(false);
    expect(isAvailable(berlinTutor, span('2026-10-26T15:00Z', '2026-10-26T16:00Z'))).to.equal(true);
    expect(isAvailable(berlinTutor, span('2026-10-26T16:00Z', '2026-10-26T17:00Z'))).to.equal(false);
    expect(availableSpans(berlinTutor, at('2026-10-23T00:00Z'), at('2026-10-24T00:00Z'))).to.deep.equal([span('2026-10-23T07:00Z', '2026-10-23T15:00Z')]);
    expect(availableSpans(berlinTutor, at('2026-10-26T00:00Z'), at('2026-10-27T00:00Z'))).to.deep.equal([span('2026-10-26T08:00Z', '2026-10-26T16:00Z')]);
  });

  it('When Los Angeles leaves summer time a week later, then the student’s 15:00 moves from 22:00Z to 23:00Z', () => {
    expect(isAvailable(laStudent, span('2026-10-30T22:00Z', '2026-10-30T23:00Z'))).to.equal(true);
    expect(isAvailable(laStudent, span('2026-11-02T22:00Z', '2026-11-02T23:00Z'))).to.equal(false);
    expect(isAvailable(laStudent, span('2026-11-02T23:00Z', '2026-11-03T00:00Z'))).to.equal(true);
  });

  it('When the two are compared in the week between the changes, then their hours do not overlap at all that day', () => {
    // Tue 27 Oct: Berlin is UTC+1, Los Angeles UTC-7. The student's 15:00-20:00 is 23:00-04:00 in Berlin: no overlap with 09:00-17:00.
    const tuesday = (rules: AvailabilityRules) => availableSpans(rules, at('2026-10-27T00:00Z'), at('2026-10-28T00:00Z'));
    expect(tuesday(berlinTutor)).to.deep.equal([span('2026-10-27T08:00Z', '2026-10-27T16:00Z')]);
    expect(tuesday(laStudent)).to.deep.equal([span('2026-10-27T00:00Z', '2026-10-27T03:00Z'), span('2026-10-27T22:00Z', '2026-10-28T00:00Z')]);
  });

  it('When the tutor has a day off, then that whole local day is unavailable; extra hours open a Saturday', () => {
    expect(isAvailable(berlinTutor, span('2026-10-28T10:00Z', '2026-10-28T11:00Z'))).to.equal(false);
    expect(availableSpans(berlinTutor, at('2026-10-28T00:00Z'), at('2026-10-29T00:00Z'))).to.deep.equal([]);
    expect(isAvailable(berlinTutor, span('2026-10-31T09:00Z', '2026-10-31T10:00Z'))).to.equal(true);
    expect(isAvailable(berlinTutor, span('2026-10-31T10:30Z', '2026-10-31T11:30Z'))).to.equal(false);
    expect(isAvailable(berlinTutor, span('2026-11-01T10:00Z', '2026-11-01T11:00Z')), 'Sunday, no extra hours').to.equal(false);
  });

  it('When hours end at 24:00 and start again at 00:00, then a session across midnight fits', () => {
    const nightOwl: AvailabilityRules = { zone: 'Europe/Berlin', weekly: [{ weekday: 1, start: '20:00', end: '24:00' }, { weekday: 2, start: '00:00', end: '02:00' }], exceptions: [] };
    // Mon 2 Nov 2026 23:00 CET = 22:00Z, until Tue 00:30 CET.
    expect(isAvailable(nightOwl, span('2026-11-02T22:00Z', '2026-11-02T23:30Z'))).to.equal(true);
    expect(isAvailable(nightOwl, span('2026-11-03T00:30Z', '2026-11-03T01:30Z'))).to.equal(false);
  });

  it('When a session starts inside the hours but runs past them, then it is unavailable', () => {
    expect(isAvailable(berlinTutor, span('2026-10-26T15:30Z', '2026-10-26T16:30Z'))).to.equal(false);
  });

  it('When a person set no weekly hours, then they are available at any time except their days off', () => {
    const open: AvailabilityRules = { zone: 'Asia/Tokyo', weekly: [], exceptions: [{ date: '2026-11-03', kind: 'day_off', start: null, end: null }] };
    expect(isAvailable(open, span('2026-11-01T18:00Z', '2026-11-01T20:00Z'))).to.equal(true);
    // 3 Nov in Tokyo is 2 Nov 15:00Z to 3 Nov 15:00Z.
    expect(isAvailable(open, span('2026-11-02T16:00Z', '2026-11-02T17:00Z'))).to.equal(false);
    expect(isAvailable(open, span('2026-11-02T14:00Z', '2026-11-02T15:00Z'))).to.equal(true);
  });

  it('When spans touch or overlap, then merge joins them and uncovered finds the gaps', () => {
    expect(merge([{ start: 5, end: 8 }, { start: 0, end: 3 }, { start: 3, end: 4 }, { start: 7, end: 9 }])).to.deep.equal([
      { start: 0, end: 4 },
      { start: 5, end: 9 },
    ]);
    expect(uncovered([{ start: 0, end: 4 }, { start: 5, end: 9 }], { start: 2, end: 12 })).to.deep.equal([
      { start: 4, end: 5 },
      { start: 9, end: 12 },
    ]);
    expect(uncovered([], { start: 1, end: 2 })).to.deep.equal([{ start: 1, end: 2 }]);
  });
});
