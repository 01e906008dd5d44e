// The Sessions calendar: the pure grid builders (zones, DST weeks in both hemispheres) and the page
// over HTTP after real LTI launches, with the clock frozen on Wednesday 3 March 2027, 12:00 UTC.
import { expect } from 'chai';
import { eq, like } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { occurrences, sessionSeries, users } from '../../src/db/schema.js';
import {
  buildListPage,
  buildMonthGrid,
  buildWeekGrid,
  calendarLinks,
  calendarWindow,
  CalendarQueryError,
  parseCalendarQuery,
  type CalendarDay,
  type CalendarRow,
} from '../../src/scheduling/calendar.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx, type Form, type HtmxRequest } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

let rowId = 0;
const row = (startsAt: string, minutes = 60, overrides: Partial<CalendarRow> = {}): CalendarRow => {
  const start = new Date(startsAt);
  return { occurrenceId: `occ-${++rowId}`, name: `Session ${rowId}`, startsAt: start, endsAt: new Date(start.getTime() + minutes * 60_000), status: 'scheduled', ...overrides };
};
/** Each day as "YYYY-MM-DD: HH:mm name, ..." for readable deep-equal assertions. */
const describeDays = (days: CalendarDay[]) => days.map((d) => `${d.date}: ${d.entries.map((e) => e.start).join(', ')}`);
const entriesOn = (days: CalendarDay[], date: string) => days.find((d) => d.date === date)?.entries.map((e) => `${e.start} ${e.name}`) ?? [];
const weekday = (date: string) => DateTime.fromISO(date).toFormat('ccc');

describe('Calendar grids (pure)', () => {
  it('When April 2027 is built, then the grid has Monday-first weeks from 29 March to 2 May with the outside days marked', () => {
    const { title, weeks } = buildMonthGrid([], { zone: 'Europe/Berlin', anchor: '2027-04-15', today: '2027-04-15' });
    expect(title).to.equal('April 2027');
    expect(weeks).to.have.length(5);
    expect(weeks.every((w) => w.length === 7 && weekday(w[0]!.date) === 'Mon' && weekday(w[6]!.date) === 'Sun')).to.equal(true);
    expect(weeks[0]![0]).to.include({ date: '2027-03-29', inMonth: false, label: 'Monday 29 March 2027', dayOfMonth: 29 });
    expect(weeks[0]![3]).to.include({ date: '2027-04-01', inMonth: true });
    expect(weeks[4]![6]).to.include({ date: '2027-05-02', inMonth: false });
    expect(weeks.flat().filter((d) => d.isToday).map((d) => d.date)).to.deep.equal(['2027-04-15']);
  });

  it('When a month starts on a Monday and ends on a Sunday (February 2027), then it has exactly four weeks', () => {
    const { weeks } = buildMonthGrid([], { zone: 'UTC', anchor: '2027-02-10', today: '2027-03-03' });
    expect(weeks.map((w) => `${w[0]!.date}..${w[6]!.date}`)).to.deep.equal(['2027-02-01..2027-02-07', '2027-02-08..2027-02-14', '2027-02-15..2027-02-21', '2027-02-22..2027-02-28']);
  });

  it('When a session starts at 23:30 UTC on Tuesday 16 March, then it is on Wednesday 17 at 00:30 in Berlin and on Tuesday 16 at 16:30 in Los Angeles', () => {
    const late = row('2027-03-16T23:30:00Z', 60, { name: 'Late review' });
    const berlin = buildMonthGrid([late], { zone: 'Europe/Berlin', anchor: '2027-03-01', today: '2027-03-03' }).weeks.flat();
    expect(entriesOn(berlin, '2027-03-16')).to.deep.equal([]);
    expect(entriesOn(berlin, '2027-03-17')).to.deep.equal(['00:30 Late review']);
    const la = buildMonthGrid([late], { zone: 'America/Los_Angeles', anchor: '2027-03-01', today: '2027-03-03' }).weeks.flat();
    expect(entriesOn(la, '2027-03-16')).to.deep.equal(['16:30 Late review']);
    expect(entriesOn(la, '2027-03-17')).to.deep.equal([]);
  });

  it('When a day has six sessions, then the month cell shows the first three and "+3 more" linking to that day’s week; four still show in full', () => {
    const busy = ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00'].map((t, i) => row(`2027-03-09T${t}:00Z`, 30, { name: `Drop-in ${i + 1}` }));
    const four = ['08:00', '09:00', '10:00', '11:00'].map((t, i) => row(`2027-03-10T${t}:00Z`, 30, { name: `Clinic ${i + 1}` }));
    const days = buildMonthGrid([...busy, ...four], { zone: 'UTC', anchor: '2027-03-01', today: '2027-03-03' }, (date) => `/c/x/sessions?view=week&date=${date}`).weeks.flat();
    expect(entriesOn(days, '2027-03-09')).to.deep.equal(['08:00 Drop-in 1', '09:00 Drop-in 2', '10:00 Drop-in 3']);
    expect(days.find((d) => d.date === '2027-03-09')!.more).to.deep.equal({ count: 3, href: '/c/x/sessions?view=week&date=2027-03-09' });
    expect(entriesOn(days, '2027-03-10')).to.have.length(4);
    expect(days.find((d) => d.date === '2027-03-10')!.more).to.equal(null);
  });

  it('When the window of a Berlin month is asked for, then it runs from Monday 00:00 Berlin before the 1st to the Monday after the last Sunday', () => {
    const { from, to } = calendarWindow('month', '2027-03-20', 'Europe/Berlin');
    // 1 March 2027 is a Monday (CET, UTC+1); the grid ends Sunday 4 April (CEST, UTC+2 since 28 March).
    expect(from.toISOString()).to.equal('2027-02-28T23:00:00.000Z');
    expect(to.toISOString()).to.equal('2027-04-04T22:00:00.000Z');
  });

  it('When a New York week contains the spring-forward change (14 March 2027), then it has 7 days and daily 16:00 sessions all read 16:00', () => {
    // 16:00 EST is 21:00 UTC until Saturday 13 March; 16:00 EDT is 20:00 UTC from Sunday 14 March.
    const daily4pm = ['08', '09', '10', '11', '12', '13'].map((d) => row(`2027-03-${d}T21:00:00Z`)).concat(row('2027-03-14T20:00:00Z'));
    const { title, days } = buildWeekGrid(daily4pm, { zone: 'America/New_York', anchor: '2027-03-11', today: '2027-03-03' });
    expect(title).to.equal('8–14 March 2027');
    expect(describeDays(days)).to.deep.equal(['08', '09', '10', '11', '12', '13', '14'].map((d) => `2027-03-${d}: 16:00`));
    const { from, to } = calendarWindow('week', '2027-03-11', 'America/New_York');
    expect(from.toISOString()).to.equal('2027-03-08T05:00:00.000Z');
    expect(to.toISOString(), 'Monday 15 March starts at 00:00 EDT').to.equal('2027-03-15T04:00:00.000Z');
  });

  it('When a New York week contains the fall-back change (7 November 2027), then it has 7 days and a 01:30 session on the Sunday reads 01:30', () => {
    const sessions = [row('2027-11-01T20:00:00Z'), row('2027-11-07T05:30:00Z'), row('2027-11-07T21:00:00Z')];
    const { title, days } = buildWeekGrid(sessions, { zone: 'America/New_York', anchor: '2027-11-07', today: '2027-03-03' });
    expect(title).to.equal('1–7 November 2027');
    expect(days).to.have.length(7);
    expect(entriesOn(days, '2027-11-01').map((e) => e.slice(0, 5))).to.deep.equal(['16:00']);
    // 05:30 UTC is 01:30 EDT (the first 01:30); 21:00 UTC is 16:00 EST.
    expect(entriesOn(days, '2027-11-07').map((e) => e.slice(0, 5))).to.deep.equal(['01:30', '16:00']);
  });

  it('When a Sydney week contains the end of daylight saving (4 April 2027), then it has 7 days and daily 10:00 sessions all read 10:00', () => {
    // 10:00 AEDT (UTC+11) is 23:00 UTC the day before; 10:00 AEST (UTC+10) on Sunday 4 April is 00:00 UTC.
    const daily10am = ['03-28', '03-29', '03-30', '03-31', '04-01', '04-02'].map((d) => row(`2027-${d}T23:00:00Z`)).concat(row('2027-04-04T00:00:00Z'));
    const { title, days } = buildWeekGrid(daily10am, { zone: 'Australia/Sydney', anchor: '2027-04-01', today: '2027-04-01' });
    expect(title).to.equal('29 March – 4 April 2027');
    expect(describeDays(days)).to.deep.equal(['03-29', '03-30', '03-31', '04-01', '04-02', '04-03', '04-04'].map((d) => `2027-${d}: 10:00`));
    expect(days.filter((d) => d.isToday).map((d) => d.date)).to.deep.equal(['2027-04-01']);
    const { from, to } = calendarWindow('week', '2027-04-01', 'Australia/Sydney');
    expect(from.toISOString()).to.equal('2027-03-28T13:00:00.000Z');
    expect(to.toISOString()).to.equal('2027-04-04T14:00:00.000Z');
  });

  it('When a Sydney week contains the start of daylight saving (3 October 2027), then it has 7 days and a 09:00 Sunday session reads 09:00', () => {
    const { days } = buildWeekGrid([row('2027-09-27T23:00:00Z'), row('2027-10-02T22:00:00Z')], { zone: 'Australia/Sydney', anchor: '2027-09-30', today: '2027-03-03' });
    // 09:00 AEST on Tuesday 28 September is 23:00 UTC on the 27th; 09:00 AEDT on Sunday 3 October is 22:00 UTC on the 2nd.
    expect(describeDays(days)).to.deep.equal(['2027-09-27: ', '2027-09-28: 09:00', '2027-09-29: ', '2027-09-30: ', '2027-10-01: ', '2027-10-02: ', '2027-10-03: 09:00']);
  });

  it('When a zone skips midnight (Santiago, 5 September 2027), then the week still has 7 days, the skipped day starting at 01:00', () => {
    const { days } = buildWeekGrid([], { zone: 'America/Santiago', anchor: '2027-09-01', today: '2027-09-01' });
    expect(days.map((d) => d.date)).to.deep.equal(['2027-08-30', '2027-08-31', '2027-09-01', '2027-09-02', '2027-09-03', '2027-09-04', '2027-09-05']);
    expect(calendarWindow('week', '2027-09-01', 'America/Santiago').to.toISOString()).to.equal('2027-09-06T03:00:00.000Z');
  });

  it('When a session is cancelled or runs past midnight, then its entry says so', () => {
    const { days } = buildWeekGrid(
      [row('2027-03-09T21:00:00Z', 60, { status: 'cancelled', name: 'Cancelled one' }), row('2027-03-10T04:30:00Z', 120, { name: 'Night owl' })],
      { zone: 'America/New_York', anchor: '2027-03-09', today: '2027-03-03' },
    );
    const tuesday = days.find((d) => d.date === '2027-03-09')!.entries;
    expect(tuesday[0]).to.include({ name: 'Cancelled one', cancelled: true, start: '16:00', end: '17:00' });
    expect(tuesday[1]).to.include({ name: 'Night owl', cancelled: false, start: '23:30', end: 'Wed 10 Mar, 01:30' });
    expect(tuesday[1]!.when).to.equal('Tue 9 Mar 2027, 23:30–Wed 10 Mar 2027, 01:30 (America/New York)');
  });

  it('When more sessions follow than a list page holds, then the page ends with a whole day and "Later sessions" starts on the next one', () => {
    // Three a day from 1 March, 20 days: a page of 50 would end within day 17.
    const rows = Array.from({ length: 60 }, (_, i) => row(DateTime.fromISO('2027-03-01T09:00:00Z').plus({ days: Math.floor(i / 3), hours: i % 3 }).toISO()!));
    const ctx = { zone: 'UTC', anchor: '2027-03-01', today: '2027-03-01' };
    const page = buildListPage(rows.slice(0, 51), ctx);
    expect(page.title).to.equal('Upcoming sessions');
    expect(page.days).to.have.length(16);
    expect(page.days.flat().reduce((n, d) => n + d.entries.length, 0)).to.equal(48);
    expect(page.laterDate).to.equal('2027-03-17');
    const later = buildListPage(rows.filter((r) => r.startsAt >= new Date('2027-03-17T00:00:00Z')), { ...ctx, anchor: '2027-03-17' });
    expect(later.title).to.equal('Sessions from Wednesday 17 March 2027');
    expect(later.days[0]!.entries).to.have.length(3);
    expect(later.laterDate).to.equal(null);
  });

  it('When the links are built, then they keep the view, step by month or week, and "Today" carries no date', () => {
    const month = calendarLinks('/c/x/sessions', 'month', { zone: 'UTC', anchor: '2027-03-31', today: '2027-03-03' }, null);
    expect(month.previous).to.deep.equal({ href: '/c/x/sessions?view=month&date=2027-02-28', label: 'Previous month' });
    expect(month.next).to.deep.equal({ href: '/c/x/sessions?view=month&date=2027-04-30', label: 'Next month' });
    expect(month.today).to.equal('/c/x/sessions?view=month');
    expect(month.views.week).to.equal('/c/x/sessions?view=week&date=2027-03-31');
    const week = calendarLinks('/c/x/sessions', 'week', { zone: 'UTC', anchor: '2027-03-10', today: '2027-03-03' }, null);
    expect([week.previous.href, week.next?.href]).to.deep.equal(['/c/x/sessions?view=week', '/c/x/sessions?view=week&date=2027-03-17']);
    expect(calendarLinks('/c/x/sessions', 'list', { zone: 'UTC', anchor: '2027-03-03', today: '2027-03-03' }, null).next).to.equal(null);
  });

  it('When the query string is wrong, then parsing fails with a 400 and a message naming the problem', () => {
    expect(parseCalendarQuery({})).to.deep.equal({ view: 'month' });
    expect(parseCalendarQuery({ view: 'list', date: '2027-03-16', added: '1' })).to.deep.equal({ view: 'list', date: '2027-03-16' });
    for (const [query, message] of [
      [{ view: 'year' }, 'Choose a calendar view: month, week or list.'],
      [{ date: '2027-02-30' }, 'Enter a real date'],
      [{ date: '16/03/2027' }, 'Enter a real date'],
      [{ date: '0001-01-01' }, 'between 1970 and 2199'],
      [{ date: ['2027-03-01', '2027-04-01'] }, 'Enter one date'],
    ] as const) {
      const attempt = () => parseCalendarQuery(query);
      expect(attempt, JSON.stringify(query)).to.throw(CalendarQueryError, message);
      try {
        attempt();
      } catch (err) {
        expect((err as CalendarQueryError).status).to.equal(400);
      }
    }
  });
});

describe('Sessions calendar page', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock('2027-03-03T12:00:00Z') } });
  const course = { id: 'cal-a', title: 'Calculus I' };
  let tutor: Launched;
  let student: Launched;
  let laStudent: Launched;
  let otherStudent: Launched;
  let outsider: Launched;
  const ids = {} as Record<'tutor' | 'student' | 'laStudent' | 'otherStudent', string>;

  const db = () => lms.app.database.db;
  const post = (who: Launched, fields: Form) => htmx(lms.app, who, `/c/${who.courseId}/sessions`, { method: 'POST', fields });
  const session = (overrides: Record<string, string | string[]>) => ({
    courseId: tutor.courseId,
    description: '',
    startTime: '16:00',
    zone: 'America/New_York',
    lengthValue: '60',
    lengthUnit: 'minutes',
    repeat: 'none',
    endType: 'count',
    count: '1',
    tutorIds: ids.tutor,
    ...overrides,
  });
  const page = async (who: Launched, query = '', request: HtmxRequest = {}) => {
    const res = await htmx(lms.app, who, `/c/${who.courseId}/sessions${query}`, request);
    return { status: res.status, html: await res.text(), res };
  };
  /** The month cell (td) of a day, by its full date. */
  const cell = (html: string, label: string) => {
    const start = html.indexOf(`<span class="day-label">${label}</span>`);
    expect(start, `a cell for ${label}`).to.be.greaterThan(-1);
    return html.slice(html.lastIndexOf('<td', start), html.indexOf('</td>', start));
  };
  /** The week column (li) or list day (section) of a day, by its full date. */
  const dayBlock = (html: string, label: string, end: string) => {
    const start = html.indexOf(label);
    expect(start, `a day block for ${label}`).to.be.greaterThan(-1);
    return html.slice(start, html.indexOf(end, start));
  };

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    laStudent = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-3', name: 'Sofia Rossi', roles: [ROLES.learner] }, context: course });
    otherStudent = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-2', name: 'Liam O’Connor', roles: [ROLES.learner] }, context: course });
    outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-b', name: 'Other Student', roles: [ROLES.learner] }, context: { id: 'cal-b', title: 'Physics' } });
    for (const [key, sub] of [['tutor', 'ta-1'], ['student', 'stu-1'], ['laStudent', 'stu-3'], ['otherStudent', 'stu-2']] as const) {
      const [found] = await db().select({ id: users.id }).from(users).where(eq(users.sub, sub));
      ids[key] = found!.id;
    }
    // The tutor reads times in New York, the students in Berlin and Los Angeles; Liam has no zone (UTC).
    for (const [key, zone] of [['tutor', 'America/New_York'], ['student', 'Europe/Berlin'], ['laStudent', 'America/Los_Angeles']] as const) {
      await db().update(users).set({ timeZone: zone }).where(eq(users.id, ids[key]));
    }
    const saved = [
      // Tuesdays and Thursdays 16:00 New York from 9 March, six times, open to the course; New York moves to EDT on 14 March.
      await post(tutor, session({ name: 'Derivatives drop-in', startDate: '2027-03-09', repeat: 'weekly', interval: '1', weekdays: ['TU', 'TH'], count: '6', studentIds: ids.student })),
      // 23:30 UTC on Tuesday 16 March: Wednesday 00:30 in Berlin, Tuesday 16:30 in Los Angeles. Invited students only.
      await post(tutor, session({ name: 'Late review', startDate: '2027-03-16', startTime: '23:30', zone: 'UTC', invitedOnly: 'on', studentIds: [ids.student, ids.laStudent] })),
    ];
    for (const res of saved) expect(res.status, await res.clone().text()).to.equal(303);
    // No cancel feature yet: cancel the drop-in of Thursday 18 March in the database.
    const [drop] = await db().select({ id: sessionSeries.id }).from(sessionSeries).where(eq(sessionSeries.name, 'Derivatives drop-in'));
    await db().update(occurrences).set({ status: 'cancelled' }).where(eq(occurrences.startsAt, new Date('2027-03-18T20:00:00Z')));
    expect(drop).to.not.equal(undefined);
  });

  it('When the tutor opens My sessions, then the month of today (March 2027) shows the drop-ins at 16:00 New York time on their days, with today marked', async () => {
    const { status, html } = await page(tutor);
    expect(status).to.equal(200);
    expect(h1Of(html)).to.equal('My sessions');
    expect(html).to.contain('href="/c/' + tutor.courseId + '/sessions/new"');
    expect(textOf(html)).to.contain('Times in America/New York');
    expect(html).to.match(/<caption[^>]*>March 2027, sessions by day, times in America\/New York<\/caption>/);
    expect(html.match(/<th scope="col">/g)).to.have.length(7);
    expect(html.indexOf('>Mon<')).to.be.lessThan(html.indexOf('>Sun<'));
    for (const day of ['Tuesday 9 March 2027', 'Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Tuesday 23 March 2027', 'Thursday 25 March 2027']) {
      expect(textOf(cell(html, day)), day).to.contain('16:00 Derivatives drop-in');
    }
    expect(textOf(cell(html, 'Wednesday 10 March 2027'))).not.to.contain('Derivatives');
    expect(cell(html, 'Wednesday 3 March 2027')).to.contain('aria-current="date"');
    expect(html.match(/aria-current="date"/g)).to.have.length(1);
    expect(html).to.match(/id="calendar-view-month" [^>]*aria-current="true"/);
    // The tutor created the invited-only session, so they see it: 23:30 UTC is 19:30 EDT.
    expect(textOf(cell(html, 'Tuesday 16 March 2027'))).to.contain('19:30 Late review');
  });

  it('When a drop-in is cancelled, then the calendar shows it struck through with the word Cancelled', async () => {
    const { html } = await page(tutor);
    const thursday = cell(html, 'Thursday 18 March 2027');
    expect(thursday).to.contain('calendar-entry is-cancelled');
    expect(textOf(thursday)).to.contain('16:00 Derivatives drop-in, cancelled Cancelled');
  });

  it('When the Berlin student opens the month, then the same sessions show in Berlin time and the 23:30 UTC one on Wednesday 17', async () => {
    const { html } = await page(student);
    expect(textOf(html)).to.contain('Times in Europe/Berlin');
    expect(html).not.to.contain('/sessions/new"');
    expect(textOf(cell(html, 'Tuesday 9 March 2027'))).to.contain('22:00 Derivatives drop-in');
    // After New York's change and before Berlin's (28 March), 16:00 New York is 21:00 in Berlin.
    expect(textOf(cell(html, 'Tuesday 16 March 2027'))).to.contain('21:00 Derivatives drop-in');
    expect(textOf(cell(html, 'Tuesday 16 March 2027'))).not.to.contain('Late review');
    expect(textOf(cell(html, 'Wednesday 17 March 2027'))).to.contain('00:30 Late review');
  });

  it('When the Los Angeles student opens the month, then the 23:30 UTC session is on Tuesday 16 at 16:30', async () => {
    const { html } = await page(laStudent);
    expect(textOf(cell(html, 'Tuesday 16 March 2027'))).to.contain('16:30 Late review');
    expect(textOf(cell(html, 'Wednesday 17 March 2027'))).not.to.contain('Late review');
    expect(textOf(cell(html, 'Tuesday 16 March 2027'))).to.contain('13:00 Derivatives drop-in');
  });

  it('When the Berlin student opens the week of 16 March, then seven days Monday to Sunday list the sessions in time order', async () => {
    const { status, html } = await page(student, '?view=week&date=2027-03-16');
    expect(status).to.equal(200);
    expect(html).to.contain('>15–21 March 2027</h2>');
    const headings = [...html.matchAll(/<h3 class="day-date">.*?<span class="visually-hidden">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(headings).to.deep.equal(['Monday 15 March 2027', 'Tuesday 16 March 2027', 'Wednesday 17 March 2027', 'Thursday 18 March 2027', 'Friday 19 March 2027', 'Saturday 20 March 2027', 'Sunday 21 March 2027']);
    expect(textOf(dayBlock(html, 'Tuesday 16 March 2027', '<h3'))).to.contain('21:00–22:00 Derivatives drop-in');
    expect(textOf(dayBlock(html, 'Wednesday 17 March 2027', '<h3'))).to.contain('00:30–01:30 Late review');
    expect(textOf(dayBlock(html, 'Monday 15 March 2027', '<h3'))).to.contain('No sessions');
    expect(html).to.match(/id="calendar-view-week" [^>]*aria-current="true"/);
    expect(html).to.contain(`href="/c/${student.courseId}/sessions?view=week&amp;date=2027-03-09"`);
    expect(html).to.contain(`href="/c/${student.courseId}/sessions?view=week"`);
    expect(html).to.contain(`href="/c/${student.courseId}/sessions?view=list&amp;date=2027-03-16"`);
  });

  it('When the Berlin student opens the list, then upcoming sessions from today are grouped by day with their times, and open each session page', async () => {
    const { html } = await page(student, '?view=list');
    expect(html).to.contain('>Upcoming sessions</h2>');
    const days = [...html.matchAll(/<h3 id="day-[^"]+">([^<]+)</g)].map((m) => m[1]!.trim());
    expect(days).to.deep.equal(['Tuesday 9 March 2027', 'Thursday 11 March 2027', 'Tuesday 16 March 2027', 'Wednesday 17 March 2027', 'Thursday 18 March 2027', 'Tuesday 23 March 2027', 'Thursday 25 March 2027']);
    expect(textOf(dayBlock(html, 'Thursday 18 March 2027', '</section>'))).to.contain('21:00–22:00 Derivatives drop-in, cancelled Cancelled');
    const [first] = await db().select({ id: occurrences.id }).from(occurrences).orderBy(occurrences.startsAt).limit(1);
    expect(html).to.contain(`href="/c/${student.courseId}/sessions/${first!.id}"`);
    expect(html, 'no later page').not.to.contain('Later sessions');
  });

  it('When a session is for invited students only, then another student sees neither it in any view nor its days, but sees the open one', async () => {
    for (const query of ['', '?view=week&date=2027-03-16', '?view=list']) {
      const { html } = await page(otherStudent, query);
      expect(html, query).not.to.contain('Late review');
      expect(html, query).to.contain('Derivatives drop-in');
      expect(textOf(html), query).to.contain('Times in UTC');
    }
  });

  it('When the calendar asks for a fragment (htmx, target #calendar), then only the calendar region comes back, with its heading focused', async () => {
    const { status, html, res } = await page(student, '?view=month&date=2027-04-01&added=1', { target: 'calendar', headers: { 'HX-Current-URL': 'x' } });
    expect(status).to.equal(200);
    expect(html.trimStart()).to.match(/^<section id="calendar"/);
    expect(html).not.to.contain('<html');
    expect(html).not.to.contain('<h1');
    expect(html).not.to.contain('site-header');
    expect(html, 'the saved notice is the page’s, not the calendar’s').not.to.contain('Your session was saved');
    expect(html).to.match(/<h2 id="calendar-heading" tabindex="-1" autofocus>April 2027<\/h2>/);
    expect(textOf(html)).to.contain('No sessions in this month.');
    expect(res.headers.get('vary')).to.contain('HX-Request');
  });

  it('When htmx loads the whole page (after a launch, a boosted link, or Back), then the full page comes back', async () => {
    const loads: HtmxRequest[] = [{}, { target: 'calendar', headers: { 'HX-Boosted': 'true' } }, { headers: { 'HX-History-Restore-Request': 'true' } }];
    for (const load of loads) {
      const { html } = await page(student, '?view=week', load);
      expect(h1Of(html), JSON.stringify(load)).to.equal('My sessions');
      expect(html).to.contain('<html');
      expect(html).not.to.contain('autofocus');
    }
  });

  it('When the page follows a save (?added=1), then it shows the saved notice above the calendar', async () => {
    const { html } = await page(tutor, '?added=1');
    expect(html).to.contain('Your session was saved and added to the calendars of everyone invited.');
    expect(html.indexOf('Your session was saved')).to.be.lessThan(html.indexOf('id="calendar"'));
  });

  it('When a day holds more sessions than a month cell shows, then the month says "+N more" and links to that day’s week, which lists them all', async () => {
    for (const [i, time] of ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00'].entries()) {
      const res = await post(tutor, session({ name: `June clinic ${i + 1}`, startDate: '2027-06-15', startTime: time, zone: 'America/New_York' }));
      expect(res.status, await res.clone().text()).to.equal(303);
    }
    const { html } = await page(tutor, '?date=2027-06-15');
    expect(textOf(html)).to.contain('June clinic 3').and.not.contain('June clinic 4');
    const weekHref = `/c/${tutor.courseId}/sessions?view=week&amp;date=2027-06-15`;
    expect(html).to.contain(`<a href="${weekHref}" hx-get="${weekHref}" hx-target="#calendar" hx-swap="outerHTML" hx-push-url="true" hx-indicator="#calendar-loading">+3 more<span class="visually-hidden"> sessions on Tuesday 15 June 2027</span></a>`);
    expect(textOf((await page(tutor, '?view=week&date=2027-06-15')).html)).to.contain('June clinic 6');
    // The other tests count what lies ahead: leave the calendar as it was.
    await db().delete(sessionSeries).where(like(sessionSeries.name, 'June clinic %'));
  });

  it('When a month has no sessions, then the calendar says so and still offers navigation', async () => {
    const { html } = await page(tutor, '?date=2027-05-20');
    expect(html).to.contain('>May 2027</h2>');
    expect(textOf(html)).to.contain('No sessions in this month.');
    expect(html).to.contain(`?view=month&amp;date=2027-04-20`);
    expect(textOf((await page(tutor, '?view=week&date=2027-05-20')).html)).to.contain('No sessions in this week.');
    expect(textOf((await page(tutor, '?view=list&date=2027-05-20')).html)).to.contain('No sessions from this day on.');
  });

  for (const [query, message] of [
    ['?view=year', 'Choose a calendar view: month, week or list.'],
    ['?date=2027-02-30', 'Enter a real date between 1970 and 2199'],
    ['?view=week&date=next-week', 'Enter a real date between 1970 and 2199'],
    ['?date=2027-03-01&date=2027-04-01', 'Enter one date'],
  ] as const) {
    it(`When the address has ${query}, then the page answers 400 and says what is wrong`, async () => {
      const { status, html } = await page(student, query, { direct: true });
      expect(status).to.equal(400);
      expect(h1Of(html)).to.equal('This calendar address is not valid');
      expect(html).to.contain(message);
    });
  }

  it('When a calendar link with a bad date is followed with htmx, then the message shows in the messages area', async () => {
    const { status, html, res } = await page(student, '?date=nope', { target: 'calendar' });
    expect(status).to.equal(400);
    expect(res.headers.get('hx-retarget')).to.equal('#messages');
    expect(html).to.contain('Enter a real date');
  });

  it('When a student of another course asks for this course’s calendar, then they get 403 and none of its sessions', async () => {
    const res = await htmx(lms.app, outsider, `/c/${student.courseId}/sessions`);
    const html = await res.text();
    expect(res.status).to.equal(403);
    expect(html).not.to.contain('Derivatives');
    expect((await htmx(lms.app, outsider, `/c/${student.courseId}/sessions?view=list`, { target: 'calendar' })).status).to.equal(403);
  });

  it('When the list has more than a page of sessions, then "Later sessions" continues from the next day without repeating any', async () => {
    const res = await post(tutor, session({ name: 'Daily practice', startDate: '2027-04-01', startTime: '07:00', zone: 'UTC', repeat: 'daily', interval: '1', count: '60', invitedOnly: 'on', studentIds: ids.laStudent }));
    expect(res.status).to.equal(303);
    const seen: string[] = [];
    let query = '?view=list&date=2027-04-01';
    for (let pages = 0; query && pages < 5; pages++) {
      const { html } = await page(laStudent, query);
      seen.push(...[...html.matchAll(/href="\/c\/[^/]+\/sessions\/([0-9a-f-]{36})"/g)].map((m) => m[1]!));
      query = html.match(/id="calendar-next" [^>]*href="\/c\/[^/]+\/sessions(\?[^"]+)"/)?.[1]?.replace(/&amp;/g, '&') ?? '';
      if (pages === 0) expect(query, 'a Later sessions link').to.equal('?view=list&date=2027-05-21');
    }
    expect(seen).to.have.length(60);
    expect(new Set(seen).size).to.equal(60);
  });
});
