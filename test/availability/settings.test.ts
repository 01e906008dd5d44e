// Edit settings through HTTP after real LTI launches: time zone, weekly hours, date exceptions and
// meeting URL. Each test asserts what is stored and what the person reads. The dates are far from
// today (2020 is past, 2031 is to come) so they hold whatever the clock says; the one rule that
// needs a frozen clock ("today" in the person's zone) is checked on the service with its own `now`.
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { addException } from '../../src/availability/settings.js';
import { availabilityExceptions, availabilityHours, users } from '../../src/db/schema.js';
import { ValidationError } from '../../src/lib/errors.js';
import { useSimulatedLms, type TestApp } from '../support/app.js';
import { htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { textOf } from '../support/text.js';

/** The value of the input with this id. */
const valueOf = (html: string, id: string) => html.match(new RegExp(`<input[^>]*id="${id}"[^>]*value="([^"]*)"`))?.[1];
/** The text of the out-of-band status line of a part. */
const statusOf = (html: string, part: string) => textOf(html.match(new RegExp(`<div id="${part}-status"[^>]*>([\\s\\S]*?)</div>`))?.[1] ?? '');

describe('Edit settings: time zone, availability and meeting URL', () => {
  const lms = useSimulatedLms();
  const course = { id: 'avail-a', title: 'Statistics' };
  let app: TestApp;
  let tutor: Launched;
  let student: Launched;
  let otherTutor: Launched;
  let admin: Launched;
  let courseB: string;
  const ids = {} as Record<'tutor' | 'student' | 'otherTutor', string>;
  const db = () => app.database.db;

  before(async () => {
    app = lms.app;
    tutor = await launchAs(app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(app, lms.sim, { user: people.student(), context: course });
    otherTutor = await launchAs(app, lms.sim, { user: { sub: 'ta-2', name: 'Noor Haddad', roles: [ROLES.teachingAssistant] }, context: course });
    admin = await launchAs(app, lms.sim, { user: people.admin(), context: course });
    courseB = (await launchAs(app, lms.sim, { user: { sub: 'inst-b', name: 'Other Instructor', roles: [ROLES.instructor] }, context: { id: 'avail-b', title: 'Physics' } })).courseId;
    for (const [key, sub] of [['tutor', 'ta-1'], ['student', 'stu-1'], ['otherTutor', 'ta-2']] as const) {
      ids[key] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    }
    // Their browsers told TutorKit their zones on the first page.
    await db().update(users).set({ timeZone: 'America/New_York' }).where(eq(users.id, ids.tutor));
    await db().update(users).set({ timeZone: 'Europe/Berlin' }).where(eq(users.id, ids.otherTutor));
  });

  const settingsPath = (who: Launched, rest = '', courseId = who.courseId) => `/c/${courseId}/settings${rest}`;
  const putWeek = (who: Launched, fields: Form, courseId?: string) => htmx(app, who, settingsPath(who, '/availability', courseId), { method: 'PUT', fields, target: 'weekly-hours-body' });
  const addExc = (who: Launched, fields: Form, courseId?: string) => htmx(app, who, settingsPath(who, '/exceptions', courseId), { method: 'POST', fields, target: 'exceptions-body' });
  const storedHours = async (userId = ids.tutor) =>
    (await db().select().from(availabilityHours).where(eq(availabilityHours.userId, userId)))
      .map((h) => `${h.weekday} ${h.startTime}-${h.endTime} ${h.timeZone}`)
      .sort();
  const storedExceptions = async (userId = ids.tutor) =>
    (await db().select().from(availabilityExceptions).where(eq(availabilityExceptions.userId, userId)))
      .map((e) => `${e.date} ${e.kind} ${e.startTime ?? ''}-${e.endTime ?? ''} ${e.timeZone}`)
      .sort();
  const zoneOf = async (userId: string) => (await db().select({ zone: users.timeZone }).from(users).where(eq(users.id, userId)))[0]!.zone;
  const meetingUrlOf = async (userId: string) => (await db().select({ url: users.meetingUrl }).from(users).where(eq(users.id, userId)))[0]!.url;
  const twoMondaysOneWednesday = { 'from-1': ['09:00', '13:00', ''], 'to-1': ['12:00', '17:00', ''], 'from-3': ['18:00', ''], 'to-3': ['20:30', ''] };

  describe('The page', () => {
    it('When a tutor opens Edit settings before setting up availability, then they see each section and the "available at any time" empty state, and no placeholder', async () => {
      const res = await htmx(app, tutor, settingsPath(tutor));
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(h1Of(html)).to.equal('Edit settings');
      const headings = [...html.matchAll(/<h([23]) id="[^"]+">([\s\S]*?)<\/h[23]>/g)].map((m) => `h${m[1]} ${textOf(m[2]!)}`);
      expect(headings).to.deep.equal(['h2 Your profile', 'h2 Time zone', 'h2 Availability', 'h3 Weekly hours', 'h3 Date exceptions', 'h2 Meeting URL', 'h2 Expertise tags', 'h2 Notifications and calendar', 'h3 Calendar feed']);
      const text = textOf(html);
      expect(text).to.contain('Availability not set up: you count as available at any time.');
      expect(text).to.contain('No upcoming date exceptions.');
      expect(text).to.contain('All times are in America/New York');
      expect(text).not.to.contain('Coming with the availability feature');
      expect(html).to.match(/<option value="America\/New_York" selected>America\/New York<\/option>/);
      for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) expect(html).to.contain(`<legend class="day-name">${day}</legend>`);
      expect(html).to.contain('<label for="hours-1-0-from">From<span class="visually-hidden"> (Monday, row 1)</span></label>');
    });

    it('When a student or an administrator opens Edit settings, then they set time zone and availability but see no Meeting URL', async () => {
      for (const who of [student, admin]) {
        const html = await (await htmx(app, who, settingsPath(who))).text();
        expect(html).to.contain('<h2 id="availability-heading">Availability</h2>');
        expect(html).to.contain('<h2 id="time-zone-heading"><label for="zone">Time zone</label></h2>');
        expect(html).not.to.contain('Meeting URL');
        expect(html).not.to.contain('Expertise tags');
      }
    });
  });

  describe('Weekly hours', () => {
    it('When a tutor saves two ranges on Monday and one on Wednesday, then the week is stored in their zone and shown', async () => {
      const res = await putWeek(tutor, twoMondaysOneWednesday);
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(html).to.match(/^\s*<div id="weekly-hours-body">/);
      expect(await storedHours()).to.deep.equal([
        '1 09:00:00-12:00:00 America/New_York',
        '1 13:00:00-17:00:00 America/New_York',
        '3 18:00:00-20:30:00 America/New_York',
      ]);
      expect(statusOf(html, 'weekly-hours')).to.equal('Saved your weekly hours.');
      expect(textOf(html)).to.contain('Monday 09:00–12:00, 13:00–17:00 Wednesday 18:00–20:30');
      expect([valueOf(html, 'hours-1-0-from'), valueOf(html, 'hours-1-0-to'), valueOf(html, 'hours-1-1-from'), valueOf(html, 'hours-1-1-to')]).to.deep.equal(['09:00', '12:00', '13:00', '17:00']);
      expect([valueOf(html, 'hours-1-2-from'), valueOf(html, 'hours-3-1-from')], 'a blank row after the saved ones').to.deep.equal(['', '']);

      const page = await (await htmx(app, tutor, settingsPath(tutor))).text();
      expect(valueOf(page, 'hours-3-0-from')).to.equal('18:00');
      expect(textOf(page)).not.to.contain('Availability not set up');
    });

    it('When ranges on one day overlap or touch, then they are stored merged and the page says so', async () => {
      const res = await putWeek(tutor, { 'from-1': ['09:00', '11:00', '17:00'], 'to-1': ['12:00', '15:00', '17:30'], 'from-2': ['10:00', '08:00'], 'to-2': ['11:00', '10:00'] });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await storedHours()).to.deep.equal([
        '1 09:00:00-15:00:00 America/New_York',
        '1 17:00:00-17:30:00 America/New_York',
        '2 08:00:00-11:00:00 America/New_York',
      ]);
      expect(statusOf(html, 'weekly-hours')).to.equal(
        'Saved your weekly hours. Overlapping hours on Monday were merged into 09:00–15:00. Overlapping hours on Tuesday were merged into 08:00–11:00.',
      );
      expect([valueOf(html, 'hours-1-0-from'), valueOf(html, 'hours-1-0-to')]).to.deep.equal(['09:00', '15:00']);
    });

    it('When an end is before its start, then they get 422 naming the day and the times, see what they typed, and the saved week is intact', async () => {
      await putWeek(tutor, twoMondaysOneWednesday);
      const before = await storedHours();
      const res = await putWeek(tutor, { 'from-1': ['09:00', '12:00'], 'to-1': ['11:00', '09:00'], 'from-5': '14:00', 'to-5': '' });
      const html = await res.text();
      expect(res.status).to.equal(422);
      expect(await storedHours()).to.deep.equal(before);
      const text = textOf(html);
      expect(text).to.contain('Your weekly hours were not saved. Your saved week has not changed.');
      expect(text).to.contain('Monday: the end (09:00) must be after the start (12:00).');
      expect(text).to.contain('Friday: enter both a From and a To time, or leave both empty.');
      expect(html).to.contain('<a href="#hours-1-1-to">Monday: the end (09:00) must be after the start (12:00).</a>');
      expect(html).to.match(/<input type="time" id="hours-1-1-to" name="to-1" value="09:00" aria-invalid="true" aria-describedby="hours-1-1-error">/);
      expect(html).to.contain('<p class="field-error" id="hours-1-1-error">Monday: the end (09:00) must be after the start (12:00).</p>');
      expect([valueOf(html, 'hours-1-0-from'), valueOf(html, 'hours-1-0-to'), valueOf(html, 'hours-1-1-from'), valueOf(html, 'hours-5-0-from')]).to.deep.equal(['09:00', '11:00', '12:00', '14:00']);
      expect(html).to.match(/<div class="notice notice-error error-summary" role="alert" tabindex="-1" id="weekly-hours-errors" autofocus>/);
      expect(statusOf(html, 'weekly-hours'), 'no stale success message').to.equal('');
      expect(text, 'the saved week is still shown').to.contain('Monday 09:00–12:00, 13:00–17:00');
    });

    it('When a time is not a time, then they get 422 and nothing changes', async () => {
      const before = await storedHours();
      const res = await putWeek(tutor, { 'from-2': '25:00', 'to-2': '26:00' });
      expect(res.status).to.equal(422);
      expect(textOf(await res.text())).to.contain('Tuesday: enter the start as a time, for example 09:00.');
      expect(await storedHours()).to.deep.equal(before);
    });

    it('When a range ends at 00:00, then it is stored as 24:00 (midnight at the end of the day) and shown as 24:00', async () => {
      const res = await putWeek(tutor, { 'from-6': '18:00', 'to-6': '00:00', 'from-7': '00:00', 'to-7': '00:00' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await storedHours()).to.deep.equal(['6 18:00:00-24:00:00 America/New_York', '7 00:00:00-24:00:00 America/New_York']);
      expect(textOf(html)).to.contain('Saturday 18:00–24:00 Sunday 00:00–24:00');
      expect(valueOf(html, 'hours-6-0-to'), 'a time input cannot show 24:00; 00:00 means midnight there').to.equal('00:00');
    });

    it('When a tutor presses Add hours on Monday, then the form comes back with another Monday row and what they typed, and nothing is saved', async () => {
      await putWeek(tutor, twoMondaysOneWednesday);
      const before = await storedHours();
      const res = await putWeek(tutor, { ...twoMondaysOneWednesday, 'from-1': ['09:00', '13:00', '18:00'], 'to-1': ['12:00', '17:00', '19:00'], add: '1' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await storedHours()).to.deep.equal(before);
      expect([valueOf(html, 'hours-1-2-from'), valueOf(html, 'hours-1-3-from')]).to.deep.equal(['18:00', '']);
      expect(html).to.match(/id="hours-1-3-from"[^>]* autofocus>/);
      expect(statusOf(html, 'weekly-hours')).to.equal('Added a row to Monday. Press Save weekly hours to keep your changes.');
    });

    it('When a tutor presses Remove on a row, then the form comes back without it, focus on Add hours, and nothing is saved until Save', async () => {
      const before = await storedHours();
      const res = await putWeek(tutor, { ...twoMondaysOneWednesday, remove: '1:0' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await storedHours()).to.deep.equal(before);
      expect([valueOf(html, 'hours-1-0-from'), valueOf(html, 'hours-1-0-to')]).to.deep.equal(['13:00', '17:00']);
      expect(html).to.match(/id="add-1"[^>]* autofocus>/);
      expect(statusOf(html, 'weekly-hours')).to.equal('Removed a row from Monday. Press Save weekly hours to keep your changes.');
    });

    it('When a tutor presses Copy Monday to weekdays, then Tuesday to Friday get Monday’s rows in the form, unsaved', async () => {
      const before = await storedHours();
      const html = await (await putWeek(tutor, { ...twoMondaysOneWednesday, copy: 'monday' })).text();
      expect(await storedHours()).to.deep.equal(before);
      for (const day of [2, 3, 4, 5]) expect([valueOf(html, `hours-${day}-0-from`), valueOf(html, `hours-${day}-1-to`), valueOf(html, `hours-${day}-2-from`)]).to.deep.equal(['09:00', '17:00', '']);
      expect(valueOf(html, 'hours-6-0-from')).to.equal('');
    });

    it('When a tutor saves an empty week, then their hours are removed and the page says they count as available at any time', async () => {
      const html = await (await putWeek(tutor, { 'from-1': '', 'to-1': '' })).text();
      expect(await storedHours()).to.deep.equal([]);
      expect(statusOf(html, 'weekly-hours')).to.equal('Saved: no weekly hours. You count as available at any time.');
      expect(textOf(html)).to.contain('Availability not set up: you count as available at any time.');
    });

    it('When the request is not an htmx one, then the whole page comes back with the status inside it', async () => {
      const res = await htmx(app, tutor, settingsPath(tutor, '/availability'), { method: 'PUT', fields: { 'from-4': '08:00', 'to-4': '09:00' }, direct: true });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(h1Of(html)).to.equal('Edit settings');
      expect(statusOf(html, 'weekly-hours')).to.equal('Saved your weekly hours.');
      expect(await storedHours()).to.deep.equal(['4 08:00:00-09:00:00 America/New_York']);
    });
  });

  describe('Date exceptions', () => {
    it('When a tutor adds a day off and extra hours, then both are stored in their zone and listed by date', async () => {
      const off = await addExc(tutor, { date: '2031-05-07', kind: 'day_off', from: '10:00', to: '11:00' });
      expect(off.status).to.equal(200);
      expect(statusOf(await off.text(), 'exceptions')).to.equal('Added a day off on Wednesday 7 May 2031.');
      const extra = await addExc(tutor, { date: '2031-05-03', kind: 'extra_hours', from: '18:00', to: '00:00' });
      const html = await extra.text();
      expect(extra.status).to.equal(200);
      expect(statusOf(html, 'exceptions')).to.equal('Added extra hours (18:00–24:00) on Saturday 3 May 2031.');
      expect(await storedExceptions()).to.deep.equal(['2031-05-03 extra_hours 18:00:00-24:00:00 America/New_York', '2031-05-07 day_off - America/New_York']);
      const list = textOf(html.match(/<ul class="exception-list">([\s\S]*?)<\/ul>/)![1]!);
      expect(list).to.equal(
        'Saturday 3 May 2031 Extra hours 18:00–24:00 Remove the extra hours on Saturday 3 May 2031 Wednesday 7 May 2031 Day off Remove the day off on Wednesday 7 May 2031',
      );
      expect(valueOf(html, 'exception-date'), 'the form is empty for the next one').to.equal('');
    });

    it('When the date is in the past, or not a date, then they get 422 with the date kept and nothing is stored', async () => {
      const before = await storedExceptions();
      const past = await addExc(tutor, { date: '2020-01-06', kind: 'day_off' });
      const html = await past.text();
      expect(past.status).to.equal(422);
      expect(textOf(html)).to.contain('Choose today or a later date.');
      expect(html).to.match(/<input type="date" id="exception-date" name="date" value="2020-01-06"[^>]* aria-invalid="true" aria-describedby="exception-date-error"/);
      const bad = await addExc(tutor, { date: '2031-02-30', kind: 'day_off' });
      expect(bad.status).to.equal(422);
      expect(textOf(await bad.text())).to.contain('Enter a real date, for example 2026-12-24.');
      expect(await storedExceptions()).to.deep.equal(before);
    });

    it('When extra hours have no times or end before they start, then they get 422 with the times kept', async () => {
      const before = await storedExceptions();
      const none = await addExc(tutor, { date: '2031-06-02', kind: 'extra_hours', from: '', to: '' });
      expect(none.status).to.equal(422);
      expect(textOf(await none.text())).to.contain('Enter the From and To times of the extra hours.');
      const backwards = await addExc(tutor, { date: '2031-06-02', kind: 'extra_hours', from: '15:00', to: '14:00' });
      const html = await backwards.text();
      expect(backwards.status).to.equal(422);
      expect(textOf(html)).to.contain('The end (14:00) must be after the start (15:00).');
      expect([valueOf(html, 'exception-from'), valueOf(html, 'exception-to')]).to.deep.equal(['15:00', '14:00']);
      expect(html).to.contain('value="extra_hours" id="exception-kind-extra" checked>');
      expect(await storedExceptions()).to.deep.equal(before);
    });

    it('When a date already is a day off, then a second day off or extra hours on it are refused, and a day off on a date with extra hours too', async () => {
      const before = await storedExceptions();
      const again = await addExc(tutor, { date: '2031-05-07', kind: 'day_off' });
      expect(again.status).to.equal(422);
      expect(textOf(await again.text())).to.contain('You already have a day off on Wednesday 7 May 2031.');
      const extra = await addExc(tutor, { date: '2031-05-07', kind: 'extra_hours', from: '09:00', to: '10:00' });
      expect(textOf(await extra.text())).to.contain('Wednesday 7 May 2031 is a day off. Remove the day off first to add extra hours.');
      const off = await addExc(tutor, { date: '2031-05-03', kind: 'day_off' });
      expect(textOf(await off.text())).to.contain('You have extra hours on Saturday 3 May 2031. Remove them first to make it a day off.');
      expect(await storedExceptions()).to.deep.equal(before);
    });

    it('When an exception is in the past, then it stays stored but is not listed', async () => {
      await db().insert(availabilityExceptions).values({ userId: ids.tutor, date: '2020-03-02', kind: 'day_off', timeZone: 'America/New_York' });
      const html = await (await htmx(app, tutor, settingsPath(tutor))).text();
      expect(textOf(html)).not.to.contain('2020');
      expect(textOf(html)).to.contain('Wednesday 7 May 2031');
      expect(await storedExceptions()).to.include('2020-03-02 day_off - America/New_York');
    });

    it('When a tutor removes an exception, then it is deleted and the list says so', async () => {
      const [row] = await db().select({ id: availabilityExceptions.id }).from(availabilityExceptions).where(and(eq(availabilityExceptions.userId, ids.tutor), eq(availabilityExceptions.date, '2031-05-07')));
      const res = await htmx(app, tutor, settingsPath(tutor, `/exceptions/${row!.id}`), { method: 'DELETE', target: 'exceptions-body' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(statusOf(html, 'exceptions')).to.equal('Removed the day off on Wednesday 7 May 2031.');
      expect(textOf(html.match(/<ul class="exception-list">([\s\S]*?)<\/ul>/)![1]!)).to.equal('Saturday 3 May 2031 Extra hours 18:00–24:00 Remove the extra hours on Saturday 3 May 2031');
      expect(await storedExceptions()).not.to.include('2031-05-07 day_off - America/New_York');
    });

    it("When someone removes another person's exception, or one that does not exist, then they get 404 and it stays stored", async () => {
      await addExc(otherTutor, { date: '2031-07-01', kind: 'day_off' });
      const [theirs] = await db().select({ id: availabilityExceptions.id }).from(availabilityExceptions).where(eq(availabilityExceptions.userId, ids.otherTutor));
      for (const id of [theirs!.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        const res = await htmx(app, tutor, settingsPath(tutor, `/exceptions/${id}`), { method: 'DELETE', target: 'exceptions-body' });
        expect(res.status).to.equal(404);
        expect(textOf(await res.text())).to.contain('This date exception does not exist, or it is not yours.');
      }
      expect(await storedExceptions(ids.otherTutor)).to.deep.equal(['2031-07-01 day_off - Europe/Berlin']);
    });

    it('When it is already tomorrow in the person’s zone, then today’s UTC date counts as past for them (service, frozen clock)', async () => {
      // 23:30 UTC on 4 March 2031 is 00:30 on 5 March in Berlin.
      const now = new Date('2031-03-04T23:30:00Z');
      try {
        await addException(db(), ids.otherTutor, { date: '2031-03-04', kind: 'day_off' }, now);
        expect.fail('a past date was accepted');
      } catch (err) {
        expect(err).to.be.instanceOf(ValidationError);
        expect((err as ValidationError).fields).to.deep.equal({ date: 'Choose today or a later date.' });
      }
      const { notice } = await addException(db(), ids.otherTutor, { date: '2031-03-05', kind: 'day_off' }, now);
      expect(notice).to.equal('Added a day off on Wednesday 5 March 2031.');
    });
  });

  describe('Time zone', () => {
    it('When the zone is unknown, then they get 422 with a clear message and their zone is unchanged', async () => {
      const res = await htmx(app, tutor, settingsPath(tutor, '/time-zone'), { method: 'PUT', fields: { zone: 'Mars/Olympus_Mons' }, target: 'time-zone-body' });
      const html = await res.text();
      expect(res.status).to.equal(422);
      expect(textOf(html)).to.contain('“Mars/Olympus_Mons” is not a time zone TutorKit knows. Choose a time zone from the list.');
      expect(html).to.contain('aria-describedby="zone-hint zone-error" aria-invalid="true"');
      expect(await zoneOf(ids.tutor)).to.equal('America/New_York');
    });

    it('When a tutor changes zone, then their weekly hours and exceptions keep their local times in the new zone, and the page says so', async () => {
      await putWeek(tutor, twoMondaysOneWednesday);
      const hoursBefore = await storedHours();
      const exceptionsBefore = await storedExceptions();
      const res = await htmx(app, tutor, settingsPath(tutor, '/time-zone'), { method: 'PUT', fields: { zone: 'Asia/Kolkata' }, target: 'time-zone-body' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await zoneOf(ids.tutor)).to.equal('Asia/Kolkata');
      expect(await storedHours()).to.deep.equal(hoursBefore.map((h) => h.replace('America/New_York', 'Asia/Kolkata')));
      expect(await storedExceptions()).to.deep.equal(exceptionsBefore.map((e) => e.replace('America/New_York', 'Asia/Kolkata')));
      expect(statusOf(html, 'time-zone')).to.equal('Saved: your time zone is now Asia/Kolkata. Your availability keeps its times (09:00 stays 09:00), now in Asia/Kolkata.');
      expect(html).to.contain('<strong id="availability-zone" hx-swap-oob="true">Asia/Kolkata</strong>');
      expect(html).to.match(/<option value="Asia\/Kolkata" selected>/);
      expect(await storedHours(ids.otherTutor), 'nobody else moves').to.deep.equal([]);
      expect(await storedExceptions(ids.otherTutor)).to.deep.equal(['2031-03-05 day_off - Europe/Berlin', '2031-07-01 day_off - Europe/Berlin']);
    });

    it('When a person saves the zone they already have, then nothing moves and the page says it stays', async () => {
      const html = await (await htmx(app, tutor, settingsPath(tutor, '/time-zone'), { method: 'PUT', fields: { zone: 'Asia/Kolkata' }, target: 'time-zone-body' })).text();
      expect(statusOf(html, 'time-zone')).to.equal('Your time zone stays Asia/Kolkata.');
    });

    it('When a student sets a zone for the first time, then it is stored', async () => {
      expect(await zoneOf(ids.student)).to.equal(null);
      const res = await htmx(app, student, settingsPath(student, '/time-zone'), { method: 'PUT', fields: { zone: 'America/Sao_Paulo' }, target: 'time-zone-body' });
      expect(res.status).to.equal(200);
      expect(await zoneOf(ids.student)).to.equal('America/Sao_Paulo');
    });
  });

  describe('Meeting URL', () => {
    it('When a tutor enters something that is not a web address, then they get 422, see what they typed, and nothing is stored', async () => {
      for (const typed of ['zoom.us/j/123', 'ftp://files.example.edu/x', 'javascript:alert(1)', 'https://zoom']) {
        const res = await htmx(app, tutor, settingsPath(tutor, '/meeting-url'), { method: 'PUT', fields: { meetingUrl: typed }, target: 'meeting-url-body' });
        const html = await res.text();
        expect(res.status).to.equal(422);
        expect(textOf(html)).to.contain('Enter a full web address starting with https://');
        expect(valueOf(html, 'meetingUrl')).to.equal(typed);
      }
      expect(await meetingUrlOf(ids.tutor)).to.equal(null);
    });

    it('When a tutor saves a web address, then it is stored and shown; an empty field clears it', async () => {
      const url = 'https://zoom.us/j/123456789?pwd=abc';
      const res = await htmx(app, tutor, settingsPath(tutor, '/meeting-url'), { method: 'PUT', fields: { meetingUrl: `  ${url} ` }, target: 'meeting-url-body' });
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(await meetingUrlOf(ids.tutor)).to.equal(url);
      expect(statusOf(html, 'meeting-url')).to.equal('Saved your meeting URL.');
      expect(valueOf(html, 'meetingUrl')).to.equal(url);
      const cleared = await htmx(app, otherTutor, settingsPath(otherTutor, '/meeting-url'), { method: 'PUT', fields: { meetingUrl: '' }, target: 'meeting-url-body' });
      expect(statusOf(await cleared.text(), 'meeting-url')).to.equal('Removed your meeting URL.');
      expect(await meetingUrlOf(ids.otherTutor)).to.equal(null);
      expect(await meetingUrlOf(ids.tutor), 'only their own').to.equal(url);
    });

    it('When a student or an administrator tries to save a meeting URL, then they get 403 and nothing is stored', async () => {
      for (const who of [student, admin]) {
        const res = await htmx(app, who, settingsPath(who, '/meeting-url'), { method: 'PUT', fields: { meetingUrl: 'https://meet.example.edu/x' }, target: 'meeting-url-body' });
        expect(res.status).to.equal(403);
      }
      expect(await meetingUrlOf(ids.student)).to.equal(null);
    });
  });

  describe('Another course', () => {
    it('When a tutor sends any settings change to a course they did not open TutorKit from, then each gets 403 and nothing changes', async () => {
      const [before, zone, url, exceptions] = [await storedHours(), await zoneOf(ids.tutor), await meetingUrlOf(ids.tutor), await storedExceptions()];
      const [mine] = await db().select({ id: availabilityExceptions.id }).from(availabilityExceptions).where(and(eq(availabilityExceptions.userId, ids.tutor), eq(availabilityExceptions.date, '2031-05-03')));
      const attempts = [
        htmx(app, tutor, settingsPath(tutor, '/time-zone', courseB), { method: 'PUT', fields: { zone: 'Europe/Paris' }, target: 'time-zone-body' }),
        putWeek(tutor, { 'from-2': '07:00', 'to-2': '08:00' }, courseB),
        addExc(tutor, { date: '2031-08-01', kind: 'day_off' }, courseB),
        htmx(app, tutor, settingsPath(tutor, `/exceptions/${mine!.id}`, courseB), { method: 'DELETE', target: 'exceptions-body' }),
        htmx(app, tutor, settingsPath(tutor, '/meeting-url', courseB), { method: 'PUT', fields: { meetingUrl: 'https://evil.example.com/' }, target: 'meeting-url-body' }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).to.equal(403);
        expect(textOf(await res.text())).to.contain('course you did not open TutorKit from');
      }
      expect([await storedHours(), await zoneOf(ids.tutor), await meetingUrlOf(ids.tutor), await storedExceptions()]).to.deep.equal([before, zone, url, exceptions]);
    });
  });
});
