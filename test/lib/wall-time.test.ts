// wallTime must read instants exactly as luxon does (it replaces luxon on hot paths), also on
// the days the clocks change and in zones with odd offsets.
import { expect } from 'chai';
import { DateTime } from 'luxon';
import { wallTime } from '../../src/lib/time.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'America/St_Johns', 'Pacific/Chatham'];

describe('wallTime', () => {
  it('When instants 427 minutes apart through 2026 and 2027 are read in nine zones, then date, time, names and ISO text match luxon', () => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2028-01-01T00:00:00Z');
    let compared = 0;
    for (const zone of ZONES) {
      // A prime step walks every minute-of-hour and crosses every DST change of these zones.
      for (let ms = from; ms < to; ms += 7 * 60_000 * 61) {
        const instant = new Date(ms);
        const luxon = DateTime.fromJSDate(instant, { zone }).setLocale('en-GB');
        const ours = wallTime(instant, zone, 'en-GB');
        const expected = { date: luxon.toISODate(), time: luxon.toFormat('HH:mm'), weekday: luxon.toFormat('ccc'), dayMonth: luxon.toFormat('ccc d LLL'), dayLabel: luxon.toFormat('ccc d LLL yyyy'), iso: luxon.toISO() };
        if (JSON.stringify(ours) !== JSON.stringify(expected)) expect(ours, `${zone} at ${instant.toISOString()}`).to.deep.equal(expected);
        compared++;
      }
    }
    expect(compared).to.be.greaterThan(9 * 2000);
  });

  it('When the minute right before and after a change is read, then the offset switches exactly there', () => {
    // New York springs forward at 07:00Z on 14 Mar 2027 and falls back at 06:00Z on 7 Nov 2027.
    expect(wallTime(new Date('2027-03-14T06:59:00Z'), 'America/New_York').iso).to.equal('2027-03-14T01:59:00.000-05:00');
    expect(wallTime(new Date('2027-03-14T07:00:00Z'), 'America/New_York').iso).to.equal('2027-03-14T03:00:00.000-04:00');
    expect(wallTime(new Date('2027-11-07T05:59:00Z'), 'America/New_York').iso).to.equal('2027-11-07T01:59:00.000-04:00');
    expect(wallTime(new Date('2027-11-07T06:00:00Z'), 'America/New_York').iso).to.equal('2027-11-07T01:00:00.000-05:00');
  });
});
