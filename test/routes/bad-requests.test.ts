// Requests a careless client or an attacker sends: each gets a 4xx page (or fragment) that says
// what to do, never "Something went wrong", and nothing is stored.
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { memberships, seriesInvitees, sessionResources, sessionSeries, users } from '../../src/db/schema.js';
import { fixedClock, useSimulatedLms } from '../support/app.js';
import { formBody, htmx, type Form } from '../support/htmx.js';
import { h1Of, launchAs, people, type Launched } from '../support/launch.js';
import { weeklySessionForm } from '../support/sessions.js';

const NOW = new Date('2027-03-01T12:00:00Z');
const INJECTION = 'https://zoom.us/j/1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:Injected\r\nURL:javascript:alert(1)\r\nATTENDEE:mailto:attacker@evil.test';

describe('Bad requests', () => {
  const lms = useSimulatedLms({ app: { clock: fixedClock(NOW) } });
  const course = { id: 'bad-a', title: 'Chemistry' };
  let tutor: Launched;
  let tutorId: string;
  let studentId: string;

  before(async () => {
    tutor = await launchAs(lms.app, lms.sim, { user: people.tutor(), context: course });
    await launchAs(lms.app, lms.sim, { user: people.student(), context: course });
    tutorId = await idOf('ta-1');
    studentId = await idOf('stu-1');
  });
  afterEach(async () => {
    await db().delete(sessionSeries);
  });

  const db = () => lms.app.database.db;
  const sessionsPath = () => `/c/${tutor.courseId}/sessions`;
  const form = (overrides: Record<string, string | string[]> = {}) => weeklySessionForm({ courseId: tutor.courseId, tutorIds: tutorId, studentIds: studentId, ...overrides });
  const countSeries = async () => db().$count(sessionSeries);
  /** Add sessions as the page's htmx posts it. */
  const post = (fields: Form) => htmx(lms.app, tutor, sessionsPath(), { method: 'POST', fields });
  async function idOf(sub: string): Promise<string> {
    return (await db().select({ id: users.id }).from(users).where(eq(users.sub, sub)))[0]!.id;
  }
  /** A raw request with the tutor's token, as a script (not the page) would send it: any body, any type. */
  function send(path: string, init: { method?: string; body?: BodyInit; headers?: Record<string, string> }) {
    return fetch(new URL(path, lms.app.baseUrl), { method: init.method ?? 'POST', body: init.body, headers: { Authorization: `Bearer ${tutor.token}`, ...init.headers }, redirect: 'manual' });
  }
  async function expectRefused(res: Response, status: number, heading: string | RegExp, message: string | RegExp) {
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).to.equal(status);
    if (typeof heading === 'string') expect(h1Of(html)).to.equal(heading);
    else expect(h1Of(html)).to.match(heading);
    expect(html).to.match(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
    expect(html).not.to.contain('Something went wrong');
    expect(await countSeries()).to.equal(0);
  }
  const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

  it('When a form is over 1 MB (a 1 MB description), then 413 says the limit and nothing is stored', async () => {
    const res = await send(sessionsPath(), { body: formBody(form({ description: 'x'.repeat(1_100_000) })), headers: urlencoded });
    await expectRefused(res, 413, 'This form is too large', 'up to 1 MB');
    expect(lms.app.logs.join('')).not.to.contain('unhandled error');
  });

  it('When an htmx form is too large, then the error comes as a fragment for the page’s message area', async () => {
    const res = await post(form({ description: 'x'.repeat(1_100_000) }));
    expect(res.status).to.equal(413);
    expect(res.headers.get('hx-retarget')).to.equal('#messages');
    expect(await res.text()).to.contain('This form is too large');
  });

  it('When a course of 1,500 students invites them all in one save, then every one of them is invited', async () => {
    const course = (await db().select({ courseId: memberships.courseId }).from(memberships).where(eq(memberships.userId, tutorId)))[0]!.courseId;
    const [{ platformId }] = await db().select({ platformId: users.platformId }).from(users).where(eq(users.id, tutorId)) as [{ platformId: string }];
    const many = await db()
      .insert(users)
      .values(Array.from({ length: 1500 }, (_, i) => ({ platformId, sub: `bulk-${i}`, name: `Student ${i}` })))
      .returning({ id: users.id });
    await db().insert(memberships).values(many.map((u) => ({ courseId: course, userId: u.id, role: 'student' as const })));
    const res = await send(sessionsPath(), { body: formBody(form({ repeat: 'none', studentIds: many.map((u) => u.id) })), headers: urlencoded });
    expect(res.status, (await res.clone().text()).slice(0, 300)).to.equal(303);
    const [series] = await db().select({ id: sessionSeries.id }).from(sessionSeries);
    expect(await db().$count(seriesInvitees, eq(seriesInvitees.seriesId, series!.id))).to.equal(1501);
  });

  it('When a form has more fields than any real form (12,001), then 413 says how many are accepted', async () => {
    const res = await send(sessionsPath(), { body: formBody(form({ studentIds: Array.from({ length: 12_001 }, (_, i) => String(i)) })), headers: urlencoded });
    await expectRefused(res, 413, 'This form has too many fields', '12,000 fields');
  });

  for (const [field, label] of [['name', 'Session name'], ['description', 'Description'], ['resourceTitle', 'Resources']] as const) {
    it(`When the ${label} holds a NUL character, then 422 names the field and nothing is stored`, async () => {
      const value = field === 'resourceTitle' ? ['Notes\u0000'] : `Clinic\u0000 notes`;
      const extra: Record<string, string[]> = field === 'resourceTitle' ? { resourceUrl: ['https://example.edu/notes'] } : {};
      const res = await post(form({ [field]: value, ...extra }));
      await expectRefused(res, 422, 'Add sessions', `${label} contains a control character`);
    });
  }

  it('When the Meeting URL carries the calendar-injection payload, then Add sessions refuses it with 422', async () => {
    const res = await post(form({ meetingUrl: INJECTION }));
    await expectRefused(res, 422, 'Add sessions', 'Meeting URL contains a line break');
  });

  it('When the Meeting URL in Edit settings carries the payload, then it is refused with 422 and the stored link is kept', async () => {
    const path = `/c/${tutor.courseId}/settings/meeting-url`;
    const put = (meetingUrl: string) => htmx(lms.app, tutor, path, { method: 'PUT', fields: { meetingUrl }, target: 'meeting-url' });
    expect((await put('https://zoom.us/j/42')).status).to.equal(200);
    const res = await put(INJECTION);
    expect(res.status).to.equal(422);
    expect(await res.text()).to.contain('Meeting URL contains a line break');
    const [stored] = await db().select({ meetingUrl: users.meetingUrl }).from(users).where(eq(users.id, tutorId));
    expect(stored!.meetingUrl).to.equal('https://zoom.us/j/42');
  });

  it('When a link is saved, then it is stored as the URL parser normalises it', async () => {
    const res = await post(form({ meetingUrl: 'HTTPS://Zoom.US/j/1?x=a b', resourceTitle: ['Notes'], resourceUrl: ['https://Example.EDU/a b'] }));
    expect(res.status).to.equal(303);
    const [series] = await db().select({ id: sessionSeries.id, meetingUrl: sessionSeries.meetingUrl }).from(sessionSeries);
    expect(series!.meetingUrl).to.equal('https://zoom.us/j/1?x=a%20b');
    const [resource] = await db().select({ url: sessionResources.url }).from(sessionResources).where(eq(sessionResources.seriesId, series!.id));
    expect(resource!.url).to.equal('https://example.edu/a%20b');
  });

  it('When a resource title is 90,000 characters, then 422 says the limit of the form', async () => {
    const res = await post(form({ resourceTitle: ['t'.repeat(90_000)], resourceUrl: ['https://example.edu/x'] }));
    await expectRefused(res, 422, 'Add sessions', 'Resources: use at most 200 characters for each');
  });

  it('When a single field is sent twice, then the message names the field instead of a type error', async () => {
    const res = await post(form({ name: ['One', 'Two'], startDate: ['2027-03-09', '2027-03-10'] }));
    const html = await res.clone().text();
    await expectRefused(res, 422, 'Add sessions', 'Session name: enter one value, not several.');
    expect(html).to.contain('the start date: enter one value, not several.');
    expect(html).not.to.contain('expected string');
  });

  it('When a new session would start in the past, then 422 asks for a later time and no invitation is queued', async () => {
    const res = await post(form({ startDate: '2027-02-23', repeat: 'none' }));
    await expectRefused(res, 422, 'Add sessions', 'Choose a date and time that has not passed yet');
  });

  for (const [what, headers, body] of [
    ['a JSON body', { 'content-type': 'application/json' }, JSON.stringify({ name: 'x' })],
    ['a text/plain body', { 'content-type': 'text/plain' }, 'name=x'],
  ] as const) {
    it(`When ${what} is sent to Add sessions, Edit session and the time zone, then 415 says TutorKit reads web forms`, async () => {
      for (const path of [sessionsPath(), `/c/${tutor.courseId}/sessions/00000000-0000-4000-8000-000000000000/edit`, `/c/${tutor.courseId}/me/time-zone`]) {
        await expectRefused(await send(path, { body, headers }), 415, 'TutorKit cannot read this kind of form', 'accept web forms');
      }
    });
  }

  it('When an empty body is sent, then Add sessions lists what is missing (422) and the time zone is refused (422)', async () => {
    await expectRefused(await send(sessionsPath(), {}), 422, 'Add sessions', 'Give the session a name');
    const zone = await send(`/c/${tutor.courseId}/me/time-zone`, {});
    expect(zone.status).to.equal(422);
    expect(await zone.text()).to.contain('Unknown time zone');
  });

  it('When the form names an unknown charset, then 415 says TutorKit reads UTF-8', async () => {
    const res = await send(sessionsPath(), { body: formBody(form()), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=klingon' } });
    await expectRefused(res, 415, 'This form uses an unknown character set', 'UTF-8');
  });

  it('When the form claims gzip but is not, then 400 says it arrived damaged; real gzip is read', async () => {
    const fake = await send(sessionsPath(), { body: formBody(form()), headers: { ...urlencoded, 'content-encoding': 'gzip' } });
    await expectRefused(fake, 400, 'TutorKit could not read this form', 'arrived damaged');
    const real = await send(sessionsPath(), { body: gzipSync(formBody(form()).toString()), headers: { ...urlencoded, 'content-encoding': 'gzip' } });
    expect(real.status).to.equal(303);
  });

  it('When the form claims an encoding TutorKit does not know, then 415 says so', async () => {
    const res = await send(sessionsPath(), { body: formBody(form()), headers: { ...urlencoded, 'content-encoding': 'zstd-9000' } });
    await expectRefused(res, 415, 'This form is compressed in an unknown way', 'not compressed');
  });
});
