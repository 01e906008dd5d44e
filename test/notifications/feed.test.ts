// The personal calendar feed and the Notifications part of Edit settings, after real launches.
import { expect } from 'chai';
import { asc, eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { occurrences, sessionSeries, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { htmx } from '../support/htmx.js';
import { launchAs, people, type Launched } from '../support/launch.js';
import { ROLES } from '../support/platform-simulator.js';
import { weeklySessionForm } from '../support/sessions.js';

const NOW = new Date('2027-03-01T12:00:00Z');

describe('Notifications: calendar feed and settings', () => {
  const clock = fixedClock(NOW);
  const lms = useSimulatedLms({ app: { clock } });
  const course = { id: 'feed-a', title: 'Physics' };
  let tutor: Launched;
  let student: Launched;
  let outsider: Launched;
  const ids: Record<string, string> = {};
  const db = () => lms.app.database.db;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    student = await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    outsider = await launchAs(lms.app, lms.sim, { user: { sub: 'stu-9', name: 'Omar Other', email: 'omar@example.edu', roles: [ROLES.learner] }, context: course });
    for (const sub of ['ta-1', 'stu-1', 'stu-9']) ids[sub] = (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
    const fields = weeklySessionForm({
      name: 'Kinematics drop-in',
      courseId: tutor.courseId,
      count: '4',
      tutorIds: ids['ta-1']!,
      studentIds: ids['stu-1']!,
      invitedOnly: 'on',
    });
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions`, { method: 'POST', fields });
    expect(res.status).to.equal(303);
  });

  const createLink = async (who: Launched) => {
    const res = await htmx(lms.app, who, `/c/${who.courseId}/settings/feed`, { method: 'POST', target: 'notifications-body' });
    expect(res.status).to.equal(200);
    const html = await res.text();
    return { html, url: html.match(/id="feed-url"[^>]*value="([^"]+)"/)?.[1] ?? html.match(/value="([^"]*\/feed\/[^"]+)"/)![1]! };
  };

  it('When a person creates a calendar link, then it is shown once, only its hash is stored, and the feed lists their sessions', async () => {
    const { html, url } = await createLink(student);
    expect(html).to.contain('Created your calendar link.');
    expect(url).to.match(/\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
    const [row] = await db().select({ hash: users.feedTokenHash }).from(users).where(eq(users.id, ids['stu-1']!));
    expect(row!.hash).to.match(/^[0-9a-f]{64}$/);
    expect(row!.hash).to.not.contain(url.split('/feed/')[1]!.slice(0, -4));
    const page = await (await htmx(lms.app, student, `/c/${student.courseId}/settings`)).text();
    expect(page).to.contain('Create a new link').and.not.contain(url);
    const feed = await fetch(url);
    expect(feed.status).to.equal(200);
    expect(feed.headers.get('content-type')).to.contain('text/calendar');
    const root = new ICAL.Component(ICAL.parse(await feed.text()));
    for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
    const events = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, 'Kinematics drop-in'));
    expect(events.map((e) => e.uid)).to.deep.equal([`${series!.id}@tutorkit`]);
    expect(events[0]!.sequence).to.equal(series!.sequence);
    expect(events[0]!.startDate.toJSDate().toISOString()).to.equal('2027-03-09T21:00:00.000Z');
    expect(lms.app.logs.join('')).to.not.contain(url.split('/feed/')[1]!);
  });

  it('When a person is not invited, then their feed does not list the session', async () => {
    const { url } = await createLink(outsider);
    const text = await (await fetch(url)).text();
    expect(text).to.contain('BEGIN:VCALENDAR').and.not.contain('BEGIN:VEVENT');
  });

  it('When a person creates a new link or turns the feed off, then the old URL answers 404', async () => {
    const first = await createLink(tutor);
    const second = await createLink(tutor);
    expect(second.html).to.contain('The old link no longer works.');
    expect((await fetch(first.url)).status).to.equal(404);
    expect((await fetch(second.url)).status).to.equal(200);
    const off = await htmx(lms.app, tutor, `/c/${tutor.courseId}/settings/feed`, { method: 'DELETE', target: 'notifications-body' });
    expect(await off.text()).to.contain('Create link').and.contain('Turned off your calendar feed.');
    expect((await fetch(second.url)).status).to.equal(404);
    expect((await fetch(new URL('/feed/not-a-token.ics', lms.app.baseUrl))).status).to.equal(404);
  });

  it('When one session was moved on its own, then the feed shows it as an override of the series (same UID, RECURRENCE-ID), not a second entry', async () => {
    const [series] = await db().select().from(sessionSeries).where(eq(sessionSeries.name, 'Kinematics drop-in'));
    const list = await db().select().from(occurrences).where(eq(occurrences.seriesId, series!.id)).orderBy(asc(occurrences.startsAt));
    const fields = {
      name: 'Kinematics drop-in', courseId: tutor.courseId, startDate: '2027-03-17', startTime: '10:00', zone: 'America/New_York', lengthValue: '60', lengthUnit: 'minutes',
      repeat: 'none', tutorIds: ids['ta-1']!, studentIds: ids['stu-1']!, invitedOnly: 'on', scope: 'this',
    };
    const res = await htmx(lms.app, tutor, `/c/${tutor.courseId}/sessions/${list[1]!.id}/edit`, { method: 'POST', fields });
    expect(res.status, await res.clone().text()).to.equal(303);
    const { url } = await createLink(student);
    const root = new ICAL.Component(ICAL.parse(await (await fetch(url)).text()));
    for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
    const [master, override] = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect([master!.uid, override!.uid]).to.deep.equal([`${series!.id}@tutorkit`, `${series!.id}@tutorkit`]);
    expect(master!.isRecurrenceException()).to.equal(false);
    expect(override!.recurrenceId.toJSDate().toISOString()).to.equal(list[1]!.originalStartsAt.toISOString());
    expect(override!.startDate.toJSDate().toISOString()).to.equal('2027-03-17T14:00:00.000Z');
    master!.relateException(override!);
    const it = master!.iterator();
    const starts: string[] = [];
    for (let next = it.next(); next; next = it.next()) starts.push(master!.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
    expect(starts).to.deep.equal(['2027-03-09T21:00:00.000Z', '2027-03-17T14:00:00.000Z', '2027-03-23T20:00:00.000Z', '2027-03-30T20:00:00.000Z']);
  });

  it('When a person turns reminders off and on in Edit settings, then it is stored and the box shows it', async () => {
    const page = await (await htmx(lms.app, student, `/c/${student.courseId}/settings`)).text();
    expect(page).to.contain('Email reminders before my sessions').and.match(/id="remindersEnabled"[^>]*checked/);
    let res = await htmx(lms.app, student, `/c/${student.courseId}/settings/reminders`, { method: 'PUT', target: 'notifications-body' });
    expect(await res.text()).to.contain('Reminders are off.').and.not.match(/id="remindersEnabled"[^>]*checked/);
    expect((await db().select({ on: users.remindersEnabled }).from(users).where(eq(users.id, ids['stu-1']!)))[0]!.on).to.equal(false);
    res = await htmx(lms.app, student, `/c/${student.courseId}/settings/reminders`, { method: 'PUT', fields: { remindersEnabled: 'on' }, target: 'notifications-body' });
    expect(await res.text()).to.match(/id="remindersEnabled"[^>]*checked/);
    expect((await db().select({ on: users.remindersEnabled }).from(users).where(eq(users.id, ids['stu-1']!)))[0]!.on).to.equal(true);
  });
  it('When someone sends the reminders or feed settings to a course they did not open TutorKit from, then each gets 403 and nothing changes', async () => {
    const elsewhere = await launchAs(lms.app, lms.sim, { user: { sub: 'ta-9', name: 'Tess Elsewhere', roles: [ROLES.teachingAssistant] }, context: { id: 'feed-b', title: 'Chemistry' } });
    const [before] = await db().select({ on: users.remindersEnabled, feed: users.feedTokenHash }).from(users).where(eq(users.sub, 'ta-9'));
    for (const [method, path] of [['PUT', 'reminders'], ['POST', 'feed'], ['DELETE', 'feed']] as const) {
      const res = await htmx(lms.app, elsewhere, `/c/${tutor.courseId}/settings/${path}`, { method, target: 'notifications-body' });
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(await res.text()).not.to.contain('Physics');
    }
    const [after] = await db().select({ on: users.remindersEnabled, feed: users.feedTokenHash }).from(users).where(eq(users.sub, 'ta-9'));
    expect(after).to.deep.equal(before);
  });
});
