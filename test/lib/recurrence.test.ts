// Recurring session rules: local wall-clock rules in the scheduler's zone, expanded to UTC instants.
// Fixtures are named by their wall-clock meaning. Nothing here may depend on the machine's zone.
import { expect } from 'chai';
import { DateTime } from 'luxon';
import {
  checkTiming,
  countOccurrences,
  describeRepeat,
  endBefore,
  expandOccurrences,
  MAX_OCCURRENCES,
  toRRule,
  type RepeatEnd,
  type RepeatRule,
  type SeriesTiming,
} from '../../src/lib/recurrence.js';

const timing = (overrides: Partial<SeriesTiming> & { repeat: RepeatRule }): SeriesTiming => ({
  startDate: '2027-03-02', startTime: '16:00', durationMinutes: 60, zone: 'America/New_York', ...overrides,
});
const starts = (t: SeriesTiming, window?: { from?: Date; to?: Date }) => expandOccurrences(t, window).map((o) => o.start.toISOString());
const localDates = (t: SeriesTiming) => expandOccurrences(t).map((o) => o.localDate);
const wallClock = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');
const minutesBetween = (o: { start: Date; end: Date }) => (o.end.getTime() - o.start.getTime()) / 60_000;

const count = (n: number) => ({ type: 'count', count: n }) as const;
const until = (date: string) => ({ type: 'until', date }) as const;

// Tuesdays and Thursdays 16:00 in New York, from Tuesday 2 Mar 2027 (EST, UTC-5) to 12 May (EDT, UTC-4).
const tuesdaysAndThursdays4pmNewYork = timing({ repeat: { freq: 'weekly', interval: 1, weekdays: ['TU', 'TH'], end: until('2027-05-12') } });
const tuesdays4pmNewYorkAcrossSpringForward = timing({ startDate: '2027-03-09', repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: count(2) } });
const tuesdays4pmNewYorkAcrossFallBack = timing({ startDate: '2027-11-02', repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: count(2) } });
const fridays6pmBerlin = (startDate: string) =>
  timing({ startDate, startTime: '18:00', zone: 'Europe/Berlin', repeat: { freq: 'weekly', interval: 1, weekdays: ['FR'], end: count(2) } });
const thursdays10amSydney = (startDate: string) =>
  timing({ startDate, startTime: '10:00', zone: 'Australia/Sydney', repeat: { freq: 'weekly', interval: 1, weekdays: ['TH'], end: count(2) } });
const daily9amNewYork = (end: RepeatEnd = count(5)) => timing({ startDate: '2027-03-12', startTime: '09:00', repeat: { freq: 'daily', interval: 1, end } });
const monthlyOnThe31stNewYork = timing({ startDate: '2027-01-31', repeat: { freq: 'monthly', interval: 1, by: 'monthday', end: count(6) } });
const monthlyByWeekdayFrom = (startDate: string, end: RepeatEnd = count(3)) => timing({ startDate, repeat: { freq: 'monthly', interval: 1, by: 'nth-weekday', end } });

describe('recurrence: expanding rules', () => {
  it('When a session does not repeat, then it has one occurrence at its local start', () => {
    const [only, ...rest] = expandOccurrences(timing({ repeat: { freq: 'none' } }));
    expect(rest).to.have.length(0);
    expect(only?.start.toISOString()).to.equal('2027-03-02T21:00:00.000Z');
    expect(only?.end.toISOString()).to.equal('2027-03-02T22:00:00.000Z');
    expect(only?.localDate).to.equal('2027-03-02');
  });

  it('When it repeats daily 9:00 in New York for 5 days, then the days run on at 9:00 local over the spring-forward Sunday', () => {
    expect(starts(daily9amNewYork())).to.deep.equal([
      '2027-03-12T14:00:00.000Z', '2027-03-13T14:00:00.000Z', // EST, UTC-5
      '2027-03-14T13:00:00.000Z', '2027-03-15T13:00:00.000Z', '2027-03-16T13:00:00.000Z', // EDT, UTC-4
    ]);
  });

  it('When it repeats every 2 days, then every other day is an occurrence', () => {
    const everyOtherDay = timing({ startDate: '2027-03-02', repeat: { freq: 'daily', interval: 2, end: count(3) } });
    expect(localDates(everyOtherDay)).to.deep.equal(['2027-03-02', '2027-03-04', '2027-03-06']);
  });

  it('When it repeats weekly on Tuesdays and Thursdays until 12 May, then both days come each week and the end date is inclusive', () => {
    const occurrences = expandOccurrences(tuesdaysAndThursdays4pmNewYork);
    expect(occurrences.map((o) => o.localDate).slice(0, 4)).to.deep.equal(['2027-03-02', '2027-03-04', '2027-03-09', '2027-03-11']);
    expect(occurrences.at(-1)?.localDate).to.equal('2027-05-11');
    expect(occurrences).to.have.length(21); // 11 Tuesdays and 10 Thursdays
    const endingOnAThursday = timing({ ...tuesdaysAndThursdays4pmNewYork, repeat: { freq: 'weekly', interval: 1, weekdays: ['TU', 'TH'], end: until('2027-03-11') } });
    expect(localDates(endingOnAThursday)).to.deep.equal(['2027-03-02', '2027-03-04', '2027-03-09', '2027-03-11']);
  });

  it('When a weekly rule on Tuesdays and Thursdays starts on a Monday, then the Monday is not an occurrence and the first is the Tuesday', () => {
    const fromMonday = timing({ startDate: '2027-03-01', repeat: { freq: 'weekly', interval: 1, weekdays: ['TH', 'TU'], end: count(3) } });
    expect(localDates(fromMonday)).to.deep.equal(['2027-03-02', '2027-03-04', '2027-03-09']);
  });

  it('When a weekly rule names no weekday, then it repeats on the start date\'s weekday', () => {
    const noDays = timing({ startDate: '2027-03-03', repeat: { freq: 'weekly', interval: 1, weekdays: [], end: count(2) } });
    expect(localDates(noDays)).to.deep.equal(['2027-03-03', '2027-03-10']);
  });

  it('When it repeats every 2 weeks on Tuesdays, then every other Tuesday is an occurrence', () => {
    const fortnightly = timing({ repeat: { freq: 'weekly', interval: 2, weekdays: ['TU'], end: count(3) } });
    expect(localDates(fortnightly)).to.deep.equal(['2027-03-02', '2027-03-16', '2027-03-30']);
  });

  it('When it repeats monthly on the 31st, then months without a 31st are skipped, not moved', () => {
    expect(localDates(monthlyOnThe31stNewYork)).to.deep.equal(['2027-01-31', '2027-03-31', '2027-05-31', '2027-07-31', '2027-08-31', '2027-10-31']);
  });

  it('When it repeats every 2 months on the 15th, then every other month is an occurrence', () => {
    const everyOtherMonth = timing({ startDate: '2027-01-15', repeat: { freq: 'monthly', interval: 2, by: 'monthday', end: count(3) } });
    expect(localDates(everyOtherMonth)).to.deep.equal(['2027-01-15', '2027-03-15', '2027-05-15']);
  });

  it('When it repeats monthly on the second Tuesday, then each month has its second Tuesday', () => {
    expect(localDates(monthlyByWeekdayFrom('2027-03-09'))).to.deep.equal(['2027-03-09', '2027-04-13', '2027-05-11']);
  });

  it('When it starts on a fifth Friday, then it repeats on the last Friday of each month', () => {
    expect(localDates(monthlyByWeekdayFrom('2027-01-29'))).to.deep.equal(['2027-01-29', '2027-02-26', '2027-03-26']);
  });

  it('When it starts on a Friday that is both the fourth and the last, then it keeps the fourth Friday, also in months with five', () => {
    // April 2027 has Fridays 2, 9, 16, 23 and 30: the fourth is the 23rd.
    expect(localDates(monthlyByWeekdayFrom('2027-02-26'))).to.deep.equal(['2027-02-26', '2027-03-26', '2027-04-23']);
  });

  it('When the window is [from, to), then an occurrence at `from` is in and one at `to` is out', () => {
    const window = { from: new Date('2027-03-13T14:00:00.000Z'), to: new Date('2027-03-15T13:00:00.000Z') };
    expect(starts(daily9amNewYork(), window)).to.deep.equal(['2027-03-13T14:00:00.000Z', '2027-03-14T13:00:00.000Z']);
    expect(starts(daily9amNewYork(), { from: new Date('2027-03-15T13:00:00.001Z') })).to.deep.equal(['2027-03-16T13:00:00.000Z']);
    expect(starts(daily9amNewYork(), { to: new Date('2027-03-12T14:00:00.000Z') })).to.deep.equal([]);
  });

  it('When a rule has more than 500 occurrences, then expanding and counting stop at 501 and a smaller limit is kept', () => {
    const daily600 = daily9amNewYork(count(600));
    expect(expandOccurrences(daily600)).to.have.length(MAX_OCCURRENCES + 1);
    expect(countOccurrences(daily600)).to.equal(MAX_OCCURRENCES + 1);
    expect(expandOccurrences(daily600, {}, 10)).to.have.length(10);
    expect(countOccurrences(tuesdaysAndThursdays4pmNewYork)).to.equal(21);
  });

  // Speed belongs in the benchmarks (npm run bench), not here: this checks the result only.
  it('When a weekly rule has 500 occurrences, then all 500 are produced, the last ten years on', () => {
    const weekly500 = timing({ startDate: '2027-01-05', repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: count(500) } });
    const occurrences = expandOccurrences(weekly500);
    expect(occurrences).to.have.length(500);
    expect(occurrences.at(-1)?.localDate).to.equal('2036-07-29');
  });
});

describe('recurrence: DST changes', () => {
  it('When Tuesdays 16:00 in New York cross the spring-forward (14 Mar 2027), then the local time stays 16:00 and UTC moves an hour earlier', () => {
    const occurrences = expandOccurrences(tuesdays4pmNewYorkAcrossSpringForward);
    expect(occurrences.map((o) => o.start.toISOString())).to.deep.equal(['2027-03-09T21:00:00.000Z', '2027-03-16T20:00:00.000Z']);
    expect(occurrences.map((o) => wallClock(o.start, 'America/New_York'))).to.deep.equal(['Tue 2027-03-09 16:00', 'Tue 2027-03-16 16:00']);
    expect(occurrences.map(minutesBetween)).to.deep.equal([60, 60]);
  });

  it('When Tuesdays 16:00 in New York cross the fall-back (7 Nov 2027), then the local time stays 16:00 and UTC moves an hour later', () => {
    expect(starts(tuesdays4pmNewYorkAcrossFallBack)).to.deep.equal(['2027-11-02T20:00:00.000Z', '2027-11-09T21:00:00.000Z']);
  });

  it('When Fridays 18:00 in Berlin cross 28 Mar and 31 Oct 2027, then they stay at 18:00 local', () => {
    expect(starts(fridays6pmBerlin('2027-03-26'))).to.deep.equal(['2027-03-26T17:00:00.000Z', '2027-04-02T16:00:00.000Z']);
    expect(starts(fridays6pmBerlin('2027-10-29'))).to.deep.equal(['2027-10-29T16:00:00.000Z', '2027-11-05T17:00:00.000Z']);
  });

  it('When Thursdays 10:00 in Sydney cross the southern fall-back (4 Apr 2027) and spring-forward (3 Oct 2027), then they stay at 10:00 local', () => {
    expect(starts(thursdays10amSydney('2027-04-01'))).to.deep.equal(['2027-03-31T23:00:00.000Z', '2027-04-08T00:00:00.000Z']);
    expect(starts(thursdays10amSydney('2027-09-30'))).to.deep.equal(['2027-09-30T00:00:00.000Z', '2027-10-06T23:00:00.000Z']);
    const localStarts = expandOccurrences(thursdays10amSydney('2027-09-30')).map((o) => wallClock(o.start, 'Australia/Sydney'));
    expect(localStarts).to.deep.equal(['Thu 2027-09-30 10:00', 'Thu 2027-10-07 10:00']);
  });

  it('When a session runs over the clock change, then its length stays exact in minutes', () => {
    const [overFallBack] = expandOccurrences(timing({ startDate: '2027-11-07', startTime: '00:30', durationMinutes: 120, repeat: { freq: 'none' } }));
    expect(overFallBack?.start.toISOString()).to.equal('2027-11-07T04:30:00.000Z'); // 00:30 EDT
    expect(overFallBack?.end.toISOString()).to.equal('2027-11-07T06:30:00.000Z'); // 01:30 EST, 120 minutes later
    const dailyOverBerlinChange = timing({ startDate: '2027-10-30', startTime: '01:45', durationMinutes: 90, zone: 'Europe/Berlin', repeat: { freq: 'daily', interval: 1, end: count(3) } });
    expect(expandOccurrences(dailyOverBerlinChange).map(minutesBetween)).to.deep.equal([90, 90, 90]);
  });

  it('When a viewer in Kolkata (UTC+5:30, no DST) sees New York Tuesdays 16:00, then their local time moves an hour across New York\'s change', () => {
    const inKolkata = expandOccurrences(tuesdays4pmNewYorkAcrossSpringForward).map((o) => wallClock(o.start, 'Asia/Kolkata'));
    expect(inKolkata).to.deep.equal(['Wed 2027-03-10 02:30', 'Wed 2027-03-17 01:30']);
  });

  it('When the local time does not exist (02:30 on 14 Mar 2027 in New York), then it moves forward by the gap to 03:30 EDT', () => {
    const [skipped] = expandOccurrences(timing({ startDate: '2027-03-14', startTime: '02:30', repeat: { freq: 'none' } }));
    expect(skipped?.start.toISOString()).to.equal('2027-03-14T07:30:00.000Z');
    expect(wallClock(skipped!.start, 'America/New_York')).to.equal('Sun 2027-03-14 03:30');
    expect(skipped?.localDate).to.equal('2027-03-14');
    const dailyAt0230 = timing({ startDate: '2027-03-13', startTime: '02:30', repeat: { freq: 'daily', interval: 1, end: count(3) } });
    expect(starts(dailyAt0230)).to.deep.equal(['2027-03-13T07:30:00.000Z', '2027-03-14T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
  });

  it('When the local time happens twice (01:30 on 7 Nov 2027 in New York), then the first (EDT) instant is taken', () => {
    const [ambiguous] = expandOccurrences(timing({ startDate: '2027-11-07', startTime: '01:30', repeat: { freq: 'none' } }));
    expect(ambiguous?.start.toISOString()).to.equal('2027-11-07T05:30:00.000Z');
    // Luxon on its own picks the later instant in Berlin and the earlier in Sydney; both must be the earlier.
    const berlin = timing({ startDate: '2027-10-31', startTime: '02:30', zone: 'Europe/Berlin', repeat: { freq: 'none' } });
    const sydney = timing({ startDate: '2027-04-04', startTime: '02:30', zone: 'Australia/Sydney', repeat: { freq: 'none' } });
    expect(starts(berlin)).to.deep.equal(['2027-10-31T00:30:00.000Z']); // 02:30 CEST
    expect(starts(sydney)).to.deep.equal(['2027-04-03T15:30:00.000Z']); // 02:30 AEDT
  });

  it('When the machine runs in another zone, then the occurrences are the same instants', () => {
    const expected = starts(tuesdaysAndThursdays4pmNewYork);
    const machineZone = process.env.TZ;
    try {
      for (const zone of ['Asia/Kolkata', 'America/New_York', 'Pacific/Chatham', 'UTC']) {
        process.env.TZ = zone;
        expect(starts(tuesdaysAndThursdays4pmNewYork), zone).to.deep.equal(expected);
        expect(toRRule(tuesdaysAndThursdays4pmNewYork), zone).to.equal('FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20270513T035959Z');
      }
    } finally {
      if (machineZone === undefined) delete process.env.TZ;
      else process.env.TZ = machineZone;
    }
  });
});

describe('recurrence: checkTiming', () => {
  const moreThan500 = 'This repeats more than 500 times; choose an earlier end date or fewer occurrences';

  it('When the timing is fine, then there is no problem', () => {
    expect(checkTiming(tuesdaysAndThursdays4pmNewYork)).to.deep.equal({});
    expect(checkTiming(timing({ repeat: { freq: 'none' } }))).to.deep.equal({});
  });

  it('When the start date, time, length and zone are all wrong, then each field gets its message', () => {
    const problems = checkTiming(timing({ startDate: '2027-02-30', startTime: '24:00', durationMinutes: 0, zone: 'Mars/Olympus', repeat: { freq: 'none' } }));
    expect(problems).to.deep.equal({
      startDate: 'Enter a real date, for example 2027-03-16',
      startTime: 'Enter a time from 00:00 to 23:59, for example 16:00',
      durationMinutes: 'Session length must be between 1 minute and 12 hours',
      zone: 'Choose a time zone from the list',
    });
    expect(checkTiming(timing({ startDate: '16/03/2027', startTime: '4pm', repeat: { freq: 'none' } }))).to.have.keys('startDate', 'startTime');
    expect(checkTiming(timing({ durationMinutes: 721, repeat: { freq: 'none' } }))).to.have.keys('durationMinutes');
    expect(checkTiming(timing({ durationMinutes: 720, repeat: { freq: 'none' } }))).to.deep.equal({});
  });

  it('When the interval is 0 or 100, or the count is 0, or a weekday is unknown, then those fields get messages', () => {
    for (const interval of [0, 100, 1.5]) {
      expect(checkTiming(timing({ repeat: { freq: 'daily', interval, end: count(3) } }))).to.deep.equal({ interval: 'Repeat every 1 to 99; enter a whole number' });
    }
    expect(checkTiming(timing({ repeat: { freq: 'daily', interval: 1, end: count(0) } }))).to.deep.equal({ count: 'Enter how many sessions: a whole number, at least 1' });
    const badDay = { freq: 'weekly', interval: 1, weekdays: ['XX'], end: count(2) } as unknown as RepeatRule;
    expect(checkTiming(timing({ repeat: badDay }))).to.deep.equal({ weekdays: 'Choose days from Monday to Sunday' });
    expect(checkTiming(timing({ repeat: { freq: 'daily', interval: 1, end: until('2027-13-01') } }))).to.deep.equal({ until: 'Enter a real end date, for example 2027-05-12' });
  });

  it('When the repeat choice itself is not one we offer, then the repeat field says what to choose', () => {
    const check = (repeat: unknown) => checkTiming(timing({ repeat: repeat as RepeatRule }));
    expect(check({ freq: 'yearly', interval: 1, end: count(2) })).to.deep.equal({ repeat: 'Choose how often the session repeats' });
    expect(check({ freq: 'monthly', interval: 1, by: 'easter', end: count(2) })).to.deep.equal({
      repeat: 'Choose whether the session repeats on a date or on a weekday of the month',
    });
    expect(check({ freq: 'daily', interval: 1, end: { type: 'never' } })).to.deep.equal({ repeat: 'Choose when the repeat ends' });
  });

  it('When the end date is before the start date, then the end date gets the message', () => {
    expect(checkTiming(timing({ repeat: { freq: 'daily', interval: 1, end: until('2027-03-01') } }))).to.deep.equal({ until: 'The end date is before the start date' });
  });

  it('When the rule repeats more than 500 times, then the end field says so', () => {
    expect(checkTiming(daily9amNewYork(count(501)))).to.deep.equal({ count: moreThan500 });
    expect(checkTiming(daily9amNewYork(count(500)))).to.deep.equal({});
    expect(checkTiming(daily9amNewYork(until('2029-12-31')))).to.deep.equal({ until: moreThan500 });
  });

  it('When the rule gives no session, then the repeat rule gets the message', () => {
    const mondayOnlyTuesdays = timing({ startDate: '2027-03-01', repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: until('2027-03-01') } });
    expect(checkTiming(mondayOnlyTuesdays)).to.deep.equal({ repeat: 'This repeat rule gives no session; check the weekdays and the end date' });
  });
});

describe('recurrence: toRRule and describeRepeat', () => {
  it('When the series does not repeat, then there is no RRULE and it "Does not repeat"', () => {
    expect(toRRule(timing({ repeat: { freq: 'none' } }))).to.equal(null);
    expect(describeRepeat(timing({ repeat: { freq: 'none' } }))).to.equal('Does not repeat');
  });

  it('When the rule ends on a date, then UNTIL is the UTC instant at which that date ends in the series zone', () => {
    expect(toRRule(tuesdaysAndThursdays4pmNewYork)).to.equal('FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20270513T035959Z');
    expect(toRRule({ ...tuesdaysAndThursdays4pmNewYork, zone: 'UTC' })).to.equal('FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20270512T235959Z');
    expect(toRRule({ ...tuesdaysAndThursdays4pmNewYork, zone: 'Australia/Sydney' })).to.equal('FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;UNTIL=20270512T135959Z');
  });

  it('When the rule is daily, monthly by date or by weekday, then the RRULE names it', () => {
    expect(toRRule(timing({ repeat: { freq: 'daily', interval: 2, end: count(10) } }))).to.equal('FREQ=DAILY;INTERVAL=2;COUNT=10');
    expect(toRRule(monthlyOnThe31stNewYork)).to.equal('FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=31;COUNT=6');
    expect(toRRule(monthlyByWeekdayFrom('2027-03-09'))).to.equal('FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;COUNT=3');
    expect(toRRule(monthlyByWeekdayFrom('2027-01-29'))).to.equal('FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;COUNT=3');
    expect(toRRule(monthlyByWeekdayFrom('2027-02-26'))).to.equal('FREQ=MONTHLY;INTERVAL=1;BYDAY=4FR;COUNT=3');
    expect(toRRule(timing({ startDate: '2027-03-03', repeat: { freq: 'weekly', interval: 1, weekdays: [], end: count(2) } }))).to.equal('FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;COUNT=2');
  });

  it('When a rule is described, then the words say the pattern and the end', () => {
    const describe = (repeat: RepeatRule, startDate = '2027-03-02') => describeRepeat(timing({ startDate, repeat }));
    expect(describe({ freq: 'daily', interval: 1, end: count(5) })).to.equal('Daily, 5 times');
    expect(describe({ freq: 'daily', interval: 2, end: count(1) })).to.equal('Every 2 days, once');
    expect(describeRepeat(tuesdaysAndThursdays4pmNewYork)).to.equal('Weekly on Tuesday and Thursday until 12 May 2027');
    expect(describe({ freq: 'weekly', interval: 2, weekdays: ['FR', 'MO', 'WE'], end: until('2027-06-01') })).to.equal('Every 2 weeks on Monday, Wednesday and Friday until 1 June 2027');
    expect(describeRepeat(monthlyOnThe31stNewYork)).to.equal('Monthly on day 31, 6 times');
    expect(describeRepeat(monthlyByWeekdayFrom('2027-03-09'))).to.equal('Monthly on the second Tuesday, 3 times');
    expect(describeRepeat(monthlyByWeekdayFrom('2027-01-29', until('2027-12-31')))).to.equal('Monthly on the last Friday until 31 December 2027');
    expect(describeRepeat(monthlyByWeekdayFrom('2027-02-26'))).to.equal('Monthly on the fourth Friday, 3 times');
  });
});

describe('recurrence: endBefore', () => {
  it('When a weekly series is cut at an occurrence, then the old series ends the day before and keeps the earlier ones', () => {
    const cut = endBefore(tuesdaysAndThursdays4pmNewYork, '2027-03-16');
    expect(cut?.repeat).to.deep.equal({ freq: 'weekly', interval: 1, weekdays: ['TU', 'TH'], end: until('2027-03-15') });
    expect(localDates(cut!)).to.deep.equal(['2027-03-02', '2027-03-04', '2027-03-09', '2027-03-11']);
    expect(tuesdaysAndThursdays4pmNewYork.repeat).to.deep.include({ end: until('2027-05-12') });
  });

  it('When a counted series is cut, then it ends by date; when it already ends before the cut, then it is unchanged', () => {
    expect(endBefore(daily9amNewYork(count(5)), '2027-03-14')?.repeat).to.deep.include({ end: until('2027-03-13') });
    expect(endBefore(daily9amNewYork(count(5)), '2027-03-17')).to.deep.equal(daily9amNewYork(count(5)));
    expect(endBefore(daily9amNewYork(until('2027-03-13')), '2027-03-20')?.repeat).to.deep.include({ end: until('2027-03-13') });
  });

  it('When the cut is at or before the first occurrence, then nothing is left', () => {
    expect(endBefore(tuesdaysAndThursdays4pmNewYork, '2027-03-02')).to.equal(null);
    const fromMonday = timing({ startDate: '2027-03-01', repeat: { freq: 'weekly', interval: 1, weekdays: ['TU'], end: count(3) } });
    expect(endBefore(fromMonday, '2027-03-02')).to.equal(null);
    expect(endBefore(timing({ repeat: { freq: 'none' } }), '2027-03-02')).to.equal(null);
    expect(endBefore(timing({ repeat: { freq: 'none' } }), '2027-03-03')).to.deep.equal(timing({ repeat: { freq: 'none' } }));
  });
});
